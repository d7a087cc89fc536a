//! The Rust mirror (src/abi.rs) has the C compiler's layout: tests/layout.c, compiled with `cc`
//! against the header, prints the size, alignment and every field's offset and size of every
//! struct of trainer_plugin.h; each line must match Rust's `size_of`, `align_of` and `offset_of!`,
//! and each struct's fields must cover its whole size (a field the mirror lacks fails the test).
//! The header is found through TRAINER_INCLUDE_DIR, else in the repository or the install this
//! crate sits in.
use std::collections::BTreeMap;
use std::mem::{align_of, size_of};
use trainer_plugin::trainer_offset_of as offset_of;
use std::path::{Path, PathBuf};
use std::process::Command;
use trainer_plugin::abi::*;

fn size_of_field<T, F>(_: impl Fn(&T) -> &F) -> usize {
    size_of::<F>()
}

fn rust_layout() -> BTreeMap<String, String> {
    let mut lines = BTreeMap::new();
    lines.insert("trainer_abi_version_t".to_string(), format!("size {} align {}", size_of::<trainer_abi_version_t>(), align_of::<trainer_abi_version_t>()));
    lines.insert("trainer_abi_version_t.major".to_string(), format!("{} {}", offset_of!(trainer_abi_version_t, major), size_of_field(|v: &trainer_abi_version_t| &v.major)));
    lines.insert("trainer_abi_version_t.minor".to_string(), format!("{} {}", offset_of!(trainer_abi_version_t, minor), size_of_field(|v: &trainer_abi_version_t| &v.minor)));
    lines.insert("trainer_log_item_t".to_string(), format!("size {} align {}", size_of::<trainer_log_item_t>(), align_of::<trainer_log_item_t>()));
    lines.insert("trainer_log_item_t.name".to_string(), format!("{} {}", offset_of!(trainer_log_item_t, name), size_of_field(|v: &trainer_log_item_t| &v.name)));
    lines.insert("trainer_log_item_t.value".to_string(), format!("{} {}", offset_of!(trainer_log_item_t, value), size_of_field(|v: &trainer_log_item_t| &v.value)));
    lines.insert("trainer_logs_t".to_string(), format!("size {} align {}", size_of::<trainer_logs_t>(), align_of::<trainer_logs_t>()));
    lines.insert("trainer_logs_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_logs_t, struct_size), size_of_field(|v: &trainer_logs_t| &v.struct_size)));
    lines.insert("trainer_logs_t.count".to_string(), format!("{} {}", offset_of!(trainer_logs_t, count), size_of_field(|v: &trainer_logs_t| &v.count)));
    lines.insert("trainer_logs_t.items".to_string(), format!("{} {}", offset_of!(trainer_logs_t, items), size_of_field(|v: &trainer_logs_t| &v.items)));
    lines.insert("trainer_value_t".to_string(), format!("size {} align {}", size_of::<trainer_value_t>(), align_of::<trainer_value_t>()));
    lines.insert("trainer_value_t.type".to_string(), format!("{} {}", offset_of!(trainer_value_t, r#type), size_of_field(|v: &trainer_value_t| &v.r#type)));
    lines.insert("trainer_value_t.reserved".to_string(), format!("{} {}", offset_of!(trainer_value_t, reserved), size_of_field(|v: &trainer_value_t| &v.reserved)));
    lines.insert("trainer_value_t.int_value".to_string(), format!("{} {}", offset_of!(trainer_value_t, int_value), size_of_field(|v: &trainer_value_t| &v.int_value)));
    lines.insert("trainer_value_t.double_value".to_string(), format!("{} {}", offset_of!(trainer_value_t, double_value), size_of_field(|v: &trainer_value_t| &v.double_value)));
    lines.insert("trainer_value_t.string_value".to_string(), format!("{} {}", offset_of!(trainer_value_t, string_value), size_of_field(|v: &trainer_value_t| &v.string_value)));
    lines.insert("trainer_param_spec_t".to_string(), format!("size {} align {}", size_of::<trainer_param_spec_t>(), align_of::<trainer_param_spec_t>()));
    lines.insert("trainer_param_spec_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, struct_size), size_of_field(|v: &trainer_param_spec_t| &v.struct_size)));
    lines.insert("trainer_param_spec_t.type".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, r#type), size_of_field(|v: &trainer_param_spec_t| &v.r#type)));
    lines.insert("trainer_param_spec_t.name".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, name), size_of_field(|v: &trainer_param_spec_t| &v.name)));
    lines.insert("trainer_param_spec_t.help".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, help), size_of_field(|v: &trainer_param_spec_t| &v.help)));
    lines.insert("trainer_param_spec_t.default_value".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, default_value), size_of_field(|v: &trainer_param_spec_t| &v.default_value)));
    lines.insert("trainer_param_spec_t.flags".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, flags), size_of_field(|v: &trainer_param_spec_t| &v.flags)));
    lines.insert("trainer_param_spec_t.reserved".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, reserved), size_of_field(|v: &trainer_param_spec_t| &v.reserved)));
    lines.insert("trainer_param_spec_t.min".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, min), size_of_field(|v: &trainer_param_spec_t| &v.min)));
    lines.insert("trainer_param_spec_t.max".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, max), size_of_field(|v: &trainer_param_spec_t| &v.max)));
    lines.insert("trainer_param_spec_t.choices".to_string(), format!("{} {}", offset_of!(trainer_param_spec_t, choices), size_of_field(|v: &trainer_param_spec_t| &v.choices)));
    lines.insert("trainer_param_values_t".to_string(), format!("size {} align {}", size_of::<trainer_param_values_t>(), align_of::<trainer_param_values_t>()));
    lines.insert("trainer_param_values_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_param_values_t, struct_size), size_of_field(|v: &trainer_param_values_t| &v.struct_size)));
    lines.insert("trainer_param_values_t.count".to_string(), format!("{} {}", offset_of!(trainer_param_values_t, count), size_of_field(|v: &trainer_param_values_t| &v.count)));
    lines.insert("trainer_param_values_t.names".to_string(), format!("{} {}", offset_of!(trainer_param_values_t, names), size_of_field(|v: &trainer_param_values_t| &v.names)));
    lines.insert("trainer_param_values_t.values".to_string(), format!("{} {}", offset_of!(trainer_param_values_t, values), size_of_field(|v: &trainer_param_values_t| &v.values)));
    lines.insert("trainer_run_params_t".to_string(), format!("size {} align {}", size_of::<trainer_run_params_t>(), align_of::<trainer_run_params_t>()));
    lines.insert("trainer_run_params_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, struct_size), size_of_field(|v: &trainer_run_params_t| &v.struct_size)));
    lines.insert("trainer_run_params_t.verbose".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, verbose), size_of_field(|v: &trainer_run_params_t| &v.verbose)));
    lines.insert("trainer_run_params_t.epochs".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, epochs), size_of_field(|v: &trainer_run_params_t| &v.epochs)));
    lines.insert("trainer_run_params_t.steps".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, steps), size_of_field(|v: &trainer_run_params_t| &v.steps)));
    lines.insert("trainer_run_params_t.batch_size".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, batch_size), size_of_field(|v: &trainer_run_params_t| &v.batch_size)));
    lines.insert("trainer_run_params_t.samples".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, samples), size_of_field(|v: &trainer_run_params_t| &v.samples)));
    lines.insert("trainer_run_params_t.initial_epoch".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, initial_epoch), size_of_field(|v: &trainer_run_params_t| &v.initial_epoch)));
    lines.insert("trainer_run_params_t.run_dir".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, run_dir), size_of_field(|v: &trainer_run_params_t| &v.run_dir)));
    lines.insert("trainer_run_params_t.validation_samples".to_string(), format!("{} {}", offset_of!(trainer_run_params_t, validation_samples), size_of_field(|v: &trainer_run_params_t| &v.validation_samples)));
    lines.insert("trainer_tensor_view_t".to_string(), format!("size {} align {}", size_of::<trainer_tensor_view_t>(), align_of::<trainer_tensor_view_t>()));
    lines.insert("trainer_tensor_view_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, struct_size), size_of_field(|v: &trainer_tensor_view_t| &v.struct_size)));
    lines.insert("trainer_tensor_view_t.rank".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, rank), size_of_field(|v: &trainer_tensor_view_t| &v.rank)));
    lines.insert("trainer_tensor_view_t.name".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, name), size_of_field(|v: &trainer_tensor_view_t| &v.name)));
    lines.insert("trainer_tensor_view_t.shape".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, shape), size_of_field(|v: &trainer_tensor_view_t| &v.shape)));
    lines.insert("trainer_tensor_view_t.data".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, data), size_of_field(|v: &trainer_tensor_view_t| &v.data)));
    lines.insert("trainer_tensor_view_t.element_count".to_string(), format!("{} {}", offset_of!(trainer_tensor_view_t, element_count), size_of_field(|v: &trainer_tensor_view_t| &v.element_count)));
    lines.insert("trainer_host_t".to_string(), format!("size {} align {}", size_of::<trainer_host_t>(), align_of::<trainer_host_t>()));
    lines.insert("trainer_host_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_host_t, struct_size), size_of_field(|v: &trainer_host_t| &v.struct_size)));
    lines.insert("trainer_host_t.abi".to_string(), format!("{} {}", offset_of!(trainer_host_t, abi), size_of_field(|v: &trainer_host_t| &v.abi)));
    lines.insert("trainer_host_t.host_data".to_string(), format!("{} {}", offset_of!(trainer_host_t, host_data), size_of_field(|v: &trainer_host_t| &v.host_data)));
    lines.insert("trainer_host_t.host_name".to_string(), format!("{} {}", offset_of!(trainer_host_t, host_name), size_of_field(|v: &trainer_host_t| &v.host_name)));
    lines.insert("trainer_host_t.host_version".to_string(), format!("{} {}", offset_of!(trainer_host_t, host_version), size_of_field(|v: &trainer_host_t| &v.host_version)));
    lines.insert("trainer_host_t.stop_training".to_string(), format!("{} {}", offset_of!(trainer_host_t, stop_training), size_of_field(|v: &trainer_host_t| &v.stop_training)));
    lines.insert("trainer_host_t.get_learning_rate".to_string(), format!("{} {}", offset_of!(trainer_host_t, get_learning_rate), size_of_field(|v: &trainer_host_t| &v.get_learning_rate)));
    lines.insert("trainer_host_t.set_learning_rate".to_string(), format!("{} {}", offset_of!(trainer_host_t, set_learning_rate), size_of_field(|v: &trainer_host_t| &v.set_learning_rate)));
    lines.insert("trainer_host_t.get_run_params".to_string(), format!("{} {}", offset_of!(trainer_host_t, get_run_params), size_of_field(|v: &trainer_host_t| &v.get_run_params)));
    lines.insert("trainer_host_t.snapshot_weights".to_string(), format!("{} {}", offset_of!(trainer_host_t, snapshot_weights), size_of_field(|v: &trainer_host_t| &v.snapshot_weights)));
    lines.insert("trainer_host_t.restore_weights".to_string(), format!("{} {}", offset_of!(trainer_host_t, restore_weights), size_of_field(|v: &trainer_host_t| &v.restore_weights)));
    lines.insert("trainer_host_t.release_snapshot".to_string(), format!("{} {}", offset_of!(trainer_host_t, release_snapshot), size_of_field(|v: &trainer_host_t| &v.release_snapshot)));
    lines.insert("trainer_host_t.weight_count".to_string(), format!("{} {}", offset_of!(trainer_host_t, weight_count), size_of_field(|v: &trainer_host_t| &v.weight_count)));
    lines.insert("trainer_host_t.get_weight".to_string(), format!("{} {}", offset_of!(trainer_host_t, get_weight), size_of_field(|v: &trainer_host_t| &v.get_weight)));
    lines.insert("trainer_host_t.save_weights".to_string(), format!("{} {}", offset_of!(trainer_host_t, save_weights), size_of_field(|v: &trainer_host_t| &v.save_weights)));
    lines.insert("trainer_host_t.load_weights".to_string(), format!("{} {}", offset_of!(trainer_host_t, load_weights), size_of_field(|v: &trainer_host_t| &v.load_weights)));
    lines.insert("trainer_host_t.evaluate".to_string(), format!("{} {}", offset_of!(trainer_host_t, evaluate), size_of_field(|v: &trainer_host_t| &v.evaluate)));
    lines.insert("trainer_host_t.log".to_string(), format!("{} {}", offset_of!(trainer_host_t, log), size_of_field(|v: &trainer_host_t| &v.log)));
    lines.insert("trainer_host_t.get_extension".to_string(), format!("{} {}", offset_of!(trainer_host_t, get_extension), size_of_field(|v: &trainer_host_t| &v.get_extension)));
    lines.insert("trainer_host_t.stop_training_because".to_string(), format!("{} {}", offset_of!(trainer_host_t, stop_training_because), size_of_field(|v: &trainer_host_t| &v.stop_training_because)));
    lines.insert("trainer_report_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_report_ext_t>(), align_of::<trainer_report_ext_t>()));
    lines.insert("trainer_report_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_report_ext_t, struct_size), size_of_field(|v: &trainer_report_ext_t| &v.struct_size)));
    lines.insert("trainer_report_ext_t.report".to_string(), format!("{} {}", offset_of!(trainer_report_ext_t, report), size_of_field(|v: &trainer_report_ext_t| &v.report)));
    lines.insert("trainer_checkpoint_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_checkpoint_ext_t>(), align_of::<trainer_checkpoint_ext_t>()));
    lines.insert("trainer_checkpoint_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_checkpoint_ext_t, struct_size), size_of_field(|v: &trainer_checkpoint_ext_t| &v.struct_size)));
    lines.insert("trainer_checkpoint_ext_t.save".to_string(), format!("{} {}", offset_of!(trainer_checkpoint_ext_t, save), size_of_field(|v: &trainer_checkpoint_ext_t| &v.save)));
    lines.insert("trainer_checkpoint_ext_t.resume".to_string(), format!("{} {}", offset_of!(trainer_checkpoint_ext_t, resume), size_of_field(|v: &trainer_checkpoint_ext_t| &v.resume)));
    lines.insert("trainer_checkpoint_ext_t.remove".to_string(), format!("{} {}", offset_of!(trainer_checkpoint_ext_t, remove), size_of_field(|v: &trainer_checkpoint_ext_t| &v.remove)));
    lines.insert("trainer_distributed_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_distributed_ext_t>(), align_of::<trainer_distributed_ext_t>()));
    lines.insert("trainer_distributed_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_distributed_ext_t, struct_size), size_of_field(|v: &trainer_distributed_ext_t| &v.struct_size)));
    lines.insert("trainer_distributed_ext_t.rank".to_string(), format!("{} {}", offset_of!(trainer_distributed_ext_t, rank), size_of_field(|v: &trainer_distributed_ext_t| &v.rank)));
    lines.insert("trainer_distributed_ext_t.world_size".to_string(), format!("{} {}", offset_of!(trainer_distributed_ext_t, world_size), size_of_field(|v: &trainer_distributed_ext_t| &v.world_size)));
    lines.insert("trainer_logs_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_logs_ext_t>(), align_of::<trainer_logs_ext_t>()));
    lines.insert("trainer_logs_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_logs_ext_t, struct_size), size_of_field(|v: &trainer_logs_ext_t| &v.struct_size)));
    lines.insert("trainer_logs_ext_t.set".to_string(), format!("{} {}", offset_of!(trainer_logs_ext_t, set), size_of_field(|v: &trainer_logs_ext_t| &v.set)));
    lines.insert("trainer_weights_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_weights_ext_t>(), align_of::<trainer_weights_ext_t>()));
    lines.insert("trainer_weights_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_weights_ext_t, struct_size), size_of_field(|v: &trainer_weights_ext_t| &v.struct_size)));
    lines.insert("trainer_weights_ext_t.set_weight".to_string(), format!("{} {}", offset_of!(trainer_weights_ext_t, set_weight), size_of_field(|v: &trainer_weights_ext_t| &v.set_weight)));
    lines.insert("trainer_weights_ext_t.set_weights".to_string(), format!("{} {}", offset_of!(trainer_weights_ext_t, set_weights), size_of_field(|v: &trainer_weights_ext_t| &v.set_weights)));
    lines.insert("trainer_prediction_t".to_string(), format!("size {} align {}", size_of::<trainer_prediction_t>(), align_of::<trainer_prediction_t>()));
    lines.insert("trainer_prediction_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, struct_size), size_of_field(|v: &trainer_prediction_t| &v.struct_size)));
    lines.insert("trainer_prediction_t.reserved".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, reserved), size_of_field(|v: &trainer_prediction_t| &v.reserved)));
    lines.insert("trainer_prediction_t.first_sample".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, first_sample), size_of_field(|v: &trainer_prediction_t| &v.first_sample)));
    lines.insert("trainer_prediction_t.rows".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, rows), size_of_field(|v: &trainer_prediction_t| &v.rows)));
    lines.insert("trainer_prediction_t.output_size".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, output_size), size_of_field(|v: &trainer_prediction_t| &v.output_size)));
    lines.insert("trainer_prediction_t.outputs".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, outputs), size_of_field(|v: &trainer_prediction_t| &v.outputs)));
    lines.insert("trainer_prediction_t.target_size".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, target_size), size_of_field(|v: &trainer_prediction_t| &v.target_size)));
    lines.insert("trainer_prediction_t.targets".to_string(), format!("{} {}", offset_of!(trainer_prediction_t, targets), size_of_field(|v: &trainer_prediction_t| &v.targets)));
    lines.insert("trainer_predict_ext_t".to_string(), format!("size {} align {}", size_of::<trainer_predict_ext_t>(), align_of::<trainer_predict_ext_t>()));
    lines.insert("trainer_predict_ext_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_predict_ext_t, struct_size), size_of_field(|v: &trainer_predict_ext_t| &v.struct_size)));
    lines.insert("trainer_predict_ext_t.validation_batches".to_string(), format!("{} {}", offset_of!(trainer_predict_ext_t, validation_batches), size_of_field(|v: &trainer_predict_ext_t| &v.validation_batches)));
    lines.insert("trainer_predict_ext_t.predict_validation_batch".to_string(), format!("{} {}", offset_of!(trainer_predict_ext_t, predict_validation_batch), size_of_field(|v: &trainer_predict_ext_t| &v.predict_validation_batch)));
    lines.insert("trainer_predict_ext_t.predict".to_string(), format!("{} {}", offset_of!(trainer_predict_ext_t, predict), size_of_field(|v: &trainer_predict_ext_t| &v.predict)));
    lines.insert("trainer_hooks_t".to_string(), format!("size {} align {}", size_of::<trainer_hooks_t>(), align_of::<trainer_hooks_t>()));
    lines.insert("trainer_hooks_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, struct_size), size_of_field(|v: &trainer_hooks_t| &v.struct_size)));
    lines.insert("trainer_hooks_t.on_train_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_train_begin), size_of_field(|v: &trainer_hooks_t| &v.on_train_begin)));
    lines.insert("trainer_hooks_t.on_train_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_train_end), size_of_field(|v: &trainer_hooks_t| &v.on_train_end)));
    lines.insert("trainer_hooks_t.on_epoch_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_epoch_begin), size_of_field(|v: &trainer_hooks_t| &v.on_epoch_begin)));
    lines.insert("trainer_hooks_t.on_epoch_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_epoch_end), size_of_field(|v: &trainer_hooks_t| &v.on_epoch_end)));
    lines.insert("trainer_hooks_t.on_train_batch_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_train_batch_begin), size_of_field(|v: &trainer_hooks_t| &v.on_train_batch_begin)));
    lines.insert("trainer_hooks_t.on_train_batch_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_train_batch_end), size_of_field(|v: &trainer_hooks_t| &v.on_train_batch_end)));
    lines.insert("trainer_hooks_t.on_test_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_test_begin), size_of_field(|v: &trainer_hooks_t| &v.on_test_begin)));
    lines.insert("trainer_hooks_t.on_test_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_test_end), size_of_field(|v: &trainer_hooks_t| &v.on_test_end)));
    lines.insert("trainer_hooks_t.on_test_batch_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_test_batch_begin), size_of_field(|v: &trainer_hooks_t| &v.on_test_batch_begin)));
    lines.insert("trainer_hooks_t.on_test_batch_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_test_batch_end), size_of_field(|v: &trainer_hooks_t| &v.on_test_batch_end)));
    lines.insert("trainer_hooks_t.on_predict_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_predict_begin), size_of_field(|v: &trainer_hooks_t| &v.on_predict_begin)));
    lines.insert("trainer_hooks_t.on_predict_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_predict_end), size_of_field(|v: &trainer_hooks_t| &v.on_predict_end)));
    lines.insert("trainer_hooks_t.on_predict_batch_begin".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_predict_batch_begin), size_of_field(|v: &trainer_hooks_t| &v.on_predict_batch_begin)));
    lines.insert("trainer_hooks_t.on_predict_batch_end".to_string(), format!("{} {}", offset_of!(trainer_hooks_t, on_predict_batch_end), size_of_field(|v: &trainer_hooks_t| &v.on_predict_batch_end)));
    lines.insert("trainer_byte_sink_t".to_string(), format!("size {} align {}", size_of::<trainer_byte_sink_t>(), align_of::<trainer_byte_sink_t>()));
    lines.insert("trainer_byte_sink_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_byte_sink_t, struct_size), size_of_field(|v: &trainer_byte_sink_t| &v.struct_size)));
    lines.insert("trainer_byte_sink_t.sink_data".to_string(), format!("{} {}", offset_of!(trainer_byte_sink_t, sink_data), size_of_field(|v: &trainer_byte_sink_t| &v.sink_data)));
    lines.insert("trainer_byte_sink_t.write".to_string(), format!("{} {}", offset_of!(trainer_byte_sink_t, write), size_of_field(|v: &trainer_byte_sink_t| &v.write)));
    lines.insert("trainer_plugin_descriptor_t".to_string(), format!("size {} align {}", size_of::<trainer_plugin_descriptor_t>(), align_of::<trainer_plugin_descriptor_t>()));
    lines.insert("trainer_plugin_descriptor_t.struct_size".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, struct_size), size_of_field(|v: &trainer_plugin_descriptor_t| &v.struct_size)));
    lines.insert("trainer_plugin_descriptor_t.abi".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, abi), size_of_field(|v: &trainer_plugin_descriptor_t| &v.abi)));
    lines.insert("trainer_plugin_descriptor_t.id".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, id), size_of_field(|v: &trainer_plugin_descriptor_t| &v.id)));
    lines.insert("trainer_plugin_descriptor_t.name".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, name), size_of_field(|v: &trainer_plugin_descriptor_t| &v.name)));
    lines.insert("trainer_plugin_descriptor_t.version".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, version), size_of_field(|v: &trainer_plugin_descriptor_t| &v.version)));
    lines.insert("trainer_plugin_descriptor_t.summary".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, summary), size_of_field(|v: &trainer_plugin_descriptor_t| &v.summary)));
    lines.insert("trainer_plugin_descriptor_t.toolchain".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, toolchain), size_of_field(|v: &trainer_plugin_descriptor_t| &v.toolchain)));
    lines.insert("trainer_plugin_descriptor_t.param_count".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, param_count), size_of_field(|v: &trainer_plugin_descriptor_t| &v.param_count)));
    lines.insert("trainer_plugin_descriptor_t.params".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, params), size_of_field(|v: &trainer_plugin_descriptor_t| &v.params)));
    lines.insert("trainer_plugin_descriptor_t.create".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, create), size_of_field(|v: &trainer_plugin_descriptor_t| &v.create)));
    lines.insert("trainer_plugin_descriptor_t.destroy".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, destroy), size_of_field(|v: &trainer_plugin_descriptor_t| &v.destroy)));
    lines.insert("trainer_plugin_descriptor_t.hooks".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, hooks), size_of_field(|v: &trainer_plugin_descriptor_t| &v.hooks)));
    lines.insert("trainer_plugin_descriptor_t.save_state".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, save_state), size_of_field(|v: &trainer_plugin_descriptor_t| &v.save_state)));
    lines.insert("trainer_plugin_descriptor_t.load_state".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, load_state), size_of_field(|v: &trainer_plugin_descriptor_t| &v.load_state)));
    lines.insert("trainer_plugin_descriptor_t.instance_hooks".to_string(), format!("{} {}", offset_of!(trainer_plugin_descriptor_t, instance_hooks), size_of_field(|v: &trainer_plugin_descriptor_t| &v.instance_hooks)));
    lines.insert("ABI".to_string(), format!("{}.{}", TRAINER_ABI_MAJOR, TRAINER_ABI_MINOR));
    lines
}

fn include_directory() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRAINER_INCLUDE_DIR") {
        return PathBuf::from(dir);
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // sdk/rust/trainer-plugin in the repository; share/trainer/rust/trainer-plugin in an install.
    for candidate in ["../../../Sources/CTrainerPlugin/include", "../../../../include/trainer"] {
        let dir = crate_dir.join(candidate);
        if dir.join("trainer_plugin.h").exists() {
            return dir;
        }
    }
    panic!("trainer_plugin.h not found: set TRAINER_INCLUDE_DIR (trainer sdk --cflags names it)");
}

#[test]
fn every_struct_has_the_c_layout() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("layout");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/layout.c");
    let compiled = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(include_directory())
        .arg(&source)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("run cc");
    assert!(compiled.success(), "cc failed on tests/layout.c");
    let output = Command::new(&out).output().expect("run the layout program");
    let text = String::from_utf8(output.stdout).unwrap();
    let rust = rust_layout();
    let mut seen = 0;
    let mut covered: BTreeMap<String, usize> = BTreeMap::new();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        let (key, value) = line.split_once(' ').unwrap();
        assert_eq!(rust.get(key).map(String::as_str), Some(value), "{key}: C says {value}");
        seen += 1;
        if let Some((name, _)) = key.split_once('.') {
            let numbers: Vec<usize> = value.split(' ').map(|n| n.parse().unwrap()).collect();
            let end = covered.entry(name.to_string()).or_default();
            *end = (*end).max(numbers[0] + numbers[1]);
        } else if let Some(size) = value.strip_prefix("size ") {
            sizes.insert(key.to_string(), size.split(' ').next().unwrap().parse().unwrap());
        }
    }
    assert_eq!(seen, rust.len(), "the C program printed {seen} lines, the mirror has {}", rust.len());
    for (name, size) in sizes {
        let end = covered.get(&name).copied().unwrap_or(0);
        let padded = (end + 7) / 8 * 8;
        assert!(padded >= size, "{name} is {size} bytes in C but its known fields end at {end}: a field is missing");
    }
}
