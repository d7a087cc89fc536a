/* Prints the C compiler's layout of every struct of trainer_plugin.h, one line each:
 *   <struct> size <sizeof> align <alignof>
 *   <struct>.<field> <offsetof> <sizeof>
 * tests/layout.rs compiles and runs it and compares each line with the Rust mirror (src/abi.rs),
 * and checks that each struct's listed fields cover its whole size (a struct whose sizeof grew
 * past its last listed field means a field this list misses). The last line, "ABI <major>.<minor>",
 * is the header's version, which the mirror's constants must match. */
#include "trainer_plugin.h"
#include <stdalign.h>
#include <stdio.h>

#define SIZE(T) printf(#T " size %zu align %zu\n", sizeof(T), alignof(T))
#define FIELD(T, F) printf(#T "." #F " %zu %zu\n", offsetof(T, F), sizeof(((T *)0)->F))

int main(void) {
    SIZE(trainer_abi_version_t);
    FIELD(trainer_abi_version_t, major);
    FIELD(trainer_abi_version_t, minor);
    SIZE(trainer_log_item_t);
    FIELD(trainer_log_item_t, name);
    FIELD(trainer_log_item_t, value);
    SIZE(trainer_logs_t);
    FIELD(trainer_logs_t, struct_size);
    FIELD(trainer_logs_t, count);
    FIELD(trainer_logs_t, items);
    SIZE(trainer_value_t);
    FIELD(trainer_value_t, type);
    FIELD(trainer_value_t, reserved);
    FIELD(trainer_value_t, int_value);
    FIELD(trainer_value_t, double_value);
    FIELD(trainer_value_t, string_value);
    SIZE(trainer_param_spec_t);
    FIELD(trainer_param_spec_t, struct_size);
    FIELD(trainer_param_spec_t, type);
    FIELD(trainer_param_spec_t, name);
    FIELD(trainer_param_spec_t, help);
    FIELD(trainer_param_spec_t, default_value);
    FIELD(trainer_param_spec_t, flags);
    FIELD(trainer_param_spec_t, reserved);
    FIELD(trainer_param_spec_t, min);
    FIELD(trainer_param_spec_t, max);
    FIELD(trainer_param_spec_t, choices);
    SIZE(trainer_param_values_t);
    FIELD(trainer_param_values_t, struct_size);
    FIELD(trainer_param_values_t, count);
    FIELD(trainer_param_values_t, names);
    FIELD(trainer_param_values_t, values);
    SIZE(trainer_run_params_t);
    FIELD(trainer_run_params_t, struct_size);
    FIELD(trainer_run_params_t, verbose);
    FIELD(trainer_run_params_t, epochs);
    FIELD(trainer_run_params_t, steps);
    FIELD(trainer_run_params_t, batch_size);
    FIELD(trainer_run_params_t, samples);
    FIELD(trainer_run_params_t, initial_epoch);
    FIELD(trainer_run_params_t, run_dir);
    FIELD(trainer_run_params_t, validation_samples);
    SIZE(trainer_tensor_view_t);
    FIELD(trainer_tensor_view_t, struct_size);
    FIELD(trainer_tensor_view_t, rank);
    FIELD(trainer_tensor_view_t, name);
    FIELD(trainer_tensor_view_t, shape);
    FIELD(trainer_tensor_view_t, data);
    FIELD(trainer_tensor_view_t, element_count);
    SIZE(trainer_host_t);
    FIELD(trainer_host_t, struct_size);
    FIELD(trainer_host_t, abi);
    FIELD(trainer_host_t, host_data);
    FIELD(trainer_host_t, host_name);
    FIELD(trainer_host_t, host_version);
    FIELD(trainer_host_t, stop_training);
    FIELD(trainer_host_t, get_learning_rate);
    FIELD(trainer_host_t, set_learning_rate);
    FIELD(trainer_host_t, get_run_params);
    FIELD(trainer_host_t, snapshot_weights);
    FIELD(trainer_host_t, restore_weights);
    FIELD(trainer_host_t, release_snapshot);
    FIELD(trainer_host_t, weight_count);
    FIELD(trainer_host_t, get_weight);
    FIELD(trainer_host_t, save_weights);
    FIELD(trainer_host_t, load_weights);
    FIELD(trainer_host_t, evaluate);
    FIELD(trainer_host_t, log);
    FIELD(trainer_host_t, get_extension);
    FIELD(trainer_host_t, stop_training_because);
    SIZE(trainer_report_ext_t);
    FIELD(trainer_report_ext_t, struct_size);
    FIELD(trainer_report_ext_t, report);
    SIZE(trainer_checkpoint_ext_t);
    FIELD(trainer_checkpoint_ext_t, struct_size);
    FIELD(trainer_checkpoint_ext_t, save);
    FIELD(trainer_checkpoint_ext_t, resume);
    FIELD(trainer_checkpoint_ext_t, remove);
    SIZE(trainer_distributed_ext_t);
    FIELD(trainer_distributed_ext_t, struct_size);
    FIELD(trainer_distributed_ext_t, rank);
    FIELD(trainer_distributed_ext_t, world_size);
    SIZE(trainer_logs_ext_t);
    FIELD(trainer_logs_ext_t, struct_size);
    FIELD(trainer_logs_ext_t, set);
    SIZE(trainer_weights_ext_t);
    FIELD(trainer_weights_ext_t, struct_size);
    FIELD(trainer_weights_ext_t, set_weight);
    FIELD(trainer_weights_ext_t, set_weights);
    SIZE(trainer_prediction_t);
    FIELD(trainer_prediction_t, struct_size);
    FIELD(trainer_prediction_t, reserved);
    FIELD(trainer_prediction_t, first_sample);
    FIELD(trainer_prediction_t, rows);
    FIELD(trainer_prediction_t, output_size);
    FIELD(trainer_prediction_t, outputs);
    FIELD(trainer_prediction_t, target_size);
    FIELD(trainer_prediction_t, targets);
    SIZE(trainer_predict_ext_t);
    FIELD(trainer_predict_ext_t, struct_size);
    FIELD(trainer_predict_ext_t, validation_batches);
    FIELD(trainer_predict_ext_t, predict_validation_batch);
    FIELD(trainer_predict_ext_t, predict);
    SIZE(trainer_hooks_t);
    FIELD(trainer_hooks_t, struct_size);
    FIELD(trainer_hooks_t, on_train_begin);
    FIELD(trainer_hooks_t, on_train_end);
    FIELD(trainer_hooks_t, on_epoch_begin);
    FIELD(trainer_hooks_t, on_epoch_end);
    FIELD(trainer_hooks_t, on_train_batch_begin);
    FIELD(trainer_hooks_t, on_train_batch_end);
    FIELD(trainer_hooks_t, on_test_begin);
    FIELD(trainer_hooks_t, on_test_end);
    FIELD(trainer_hooks_t, on_test_batch_begin);
    FIELD(trainer_hooks_t, on_test_batch_end);
    FIELD(trainer_hooks_t, on_predict_begin);
    FIELD(trainer_hooks_t, on_predict_end);
    FIELD(trainer_hooks_t, on_predict_batch_begin);
    FIELD(trainer_hooks_t, on_predict_batch_end);
    SIZE(trainer_byte_sink_t);
    FIELD(trainer_byte_sink_t, struct_size);
    FIELD(trainer_byte_sink_t, sink_data);
    FIELD(trainer_byte_sink_t, write);
    SIZE(trainer_plugin_descriptor_t);
    FIELD(trainer_plugin_descriptor_t, struct_size);
    FIELD(trainer_plugin_descriptor_t, abi);
    FIELD(trainer_plugin_descriptor_t, id);
    FIELD(trainer_plugin_descriptor_t, name);
    FIELD(trainer_plugin_descriptor_t, version);
    FIELD(trainer_plugin_descriptor_t, summary);
    FIELD(trainer_plugin_descriptor_t, toolchain);
    FIELD(trainer_plugin_descriptor_t, param_count);
    FIELD(trainer_plugin_descriptor_t, params);
    FIELD(trainer_plugin_descriptor_t, create);
    FIELD(trainer_plugin_descriptor_t, destroy);
    FIELD(trainer_plugin_descriptor_t, hooks);
    FIELD(trainer_plugin_descriptor_t, save_state);
    FIELD(trainer_plugin_descriptor_t, load_state);
    FIELD(trainer_plugin_descriptor_t, instance_hooks);
    printf("ABI %d.%d\n", TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR);
    return 0;
}
