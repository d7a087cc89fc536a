//! The `#[repr(C)]` mirror of `trainer_plugin.h`, field for field, in the header's order.
//!
//! Every struct that crosses the boundary starts with `struct_size`; the host may be older or
//! newer than this crate, so read a host struct's fields only when its `struct_size` covers
//! them (the safe layer in this crate does). `tests/layout.rs` checks every size and offset
//! here against the C compiler's. Names are the header's, so the header's documentation
//! applies unchanged.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_void};

/// The offset of `$field` in the struct `$type`, as `std::mem::offset_of!` (Rust 1.77) gives
/// it, for older compilers: computed on an uninitialized value, never read.
#[doc(hidden)]
#[macro_export]
macro_rules! trainer_offset_of {
    ($type:ty, $field:ident) => {{
        let value = ::std::mem::MaybeUninit::<$type>::uninit();
        let base = value.as_ptr();
        #[allow(unused_unsafe)]
        let field = unsafe { ::std::ptr::addr_of!((*base).$field) };
        (field as usize) - (base as usize)
    }};
}

pub const TRAINER_ABI_MAJOR: u32 = 1;
pub const TRAINER_ABI_MINOR: u32 = 2;
pub const TRAINER_PLUGIN_ENTRY_SYMBOL: &str = "trainer_plugin_entry";

pub type trainer_status_t = i32;
pub const TRAINER_STATUS_OK: trainer_status_t = 0;
pub const TRAINER_STATUS_ERROR: trainer_status_t = 1;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct trainer_abi_version_t {
    pub major: u32,
    pub minor: u32,
}

/* ---- Logs ---- */

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_log_item_t {
    pub name: *const c_char,
    pub value: f64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_logs_t {
    pub struct_size: u32,
    pub count: u32,
    pub items: *const trainer_log_item_t,
}

/* ---- Parameters ---- */

pub type trainer_value_type_t = u32;
pub const TRAINER_VALUE_NONE: trainer_value_type_t = 0;
pub const TRAINER_VALUE_BOOL: trainer_value_type_t = 1;
pub const TRAINER_VALUE_INT: trainer_value_type_t = 2;
pub const TRAINER_VALUE_DOUBLE: trainer_value_type_t = 3;
pub const TRAINER_VALUE_STRING: trainer_value_type_t = 4;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_value_t {
    pub r#type: trainer_value_type_t,
    pub reserved: u32,
    pub int_value: i64,
    pub double_value: f64,
    pub string_value: *const c_char,
}

pub const TRAINER_PARAM_HAS_MIN: u32 = 1;
pub const TRAINER_PARAM_HAS_MAX: u32 = 2;
pub const TRAINER_PARAM_NULLABLE: u32 = 4;
/// ABI 1.2: the run must set the parameter; a 1.1 host ignores the flag and passes the default.
pub const TRAINER_PARAM_REQUIRED: u32 = 8;

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_param_spec_t {
    pub struct_size: u32,
    pub r#type: trainer_value_type_t,
    pub name: *const c_char,
    pub help: *const c_char,
    pub default_value: trainer_value_t,
    pub flags: u32,
    pub reserved: u32,
    pub min: f64,
    pub max: f64,
    pub choices: *const c_char,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_param_values_t {
    pub struct_size: u32,
    pub count: u32,
    pub names: *const *const c_char,
    pub values: *const trainer_value_t,
}

/* ---- The host table ---- */

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_run_params_t {
    pub struct_size: u32,
    pub verbose: i32,
    pub epochs: i64,
    pub steps: i64,
    pub batch_size: i64,
    pub samples: i64,
    pub initial_epoch: i64,
    pub run_dir: *const c_char,
    pub validation_samples: i64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_tensor_view_t {
    pub struct_size: u32,
    pub rank: u32,
    pub name: *const c_char,
    pub shape: *const i64,
    pub data: *const f32,
    pub element_count: i64,
}

pub type trainer_log_level_t = i32;
pub const TRAINER_LOG_DEBUG: trainer_log_level_t = 0;
pub const TRAINER_LOG_INFO: trainer_log_level_t = 1;
pub const TRAINER_LOG_WARNING: trainer_log_level_t = 2;
pub const TRAINER_LOG_ERROR: trainer_log_level_t = 3;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_host_t {
    pub struct_size: u32,
    pub abi: trainer_abi_version_t,
    pub host_data: *mut c_void,
    pub host_name: *const c_char,
    pub host_version: *const c_char,
    pub stop_training: Option<unsafe extern "C" fn(host: *const trainer_host_t)>,
    pub get_learning_rate: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> f64>,
    pub set_learning_rate:
        Option<unsafe extern "C" fn(host: *const trainer_host_t, learning_rate: f64) -> trainer_status_t>,
    pub get_run_params: Option<
        unsafe extern "C" fn(host: *const trainer_host_t, out: *mut trainer_run_params_t) -> trainer_status_t,
    >,
    pub snapshot_weights: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> i64>,
    pub restore_weights:
        Option<unsafe extern "C" fn(host: *const trainer_host_t, snapshot_id: i64) -> trainer_status_t>,
    pub release_snapshot: Option<unsafe extern "C" fn(host: *const trainer_host_t, snapshot_id: i64)>,
    pub weight_count: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> i64>,
    pub get_weight: Option<
        unsafe extern "C" fn(host: *const trainer_host_t, index: i64, out: *mut trainer_tensor_view_t) -> trainer_status_t,
    >,
    pub save_weights: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            path: *const c_char,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub load_weights: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            path: *const c_char,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub evaluate: Option<
        unsafe extern "C" fn(host: *const trainer_host_t, out: *mut *const trainer_logs_t) -> trainer_status_t,
    >,
    pub log: Option<unsafe extern "C" fn(host: *const trainer_host_t, level: trainer_log_level_t, message: *const c_char)>,
    pub get_extension:
        Option<unsafe extern "C" fn(host: *const trainer_host_t, extension_id: *const c_char) -> *const c_void>,
    /* ABI 1.2 */
    pub stop_training_because: Option<unsafe extern "C" fn(host: *const trainer_host_t, reason: *const c_char)>,
}

/* ---- Extensions ---- */

pub const TRAINER_EXT_REPORT: &str = "trainer.report/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_report_ext_t {
    pub struct_size: u32,
    pub report: Option<unsafe extern "C" fn(host: *const trainer_host_t, name: *const c_char, value: f64)>,
}

pub const TRAINER_EXT_CHECKPOINT: &str = "trainer.checkpoint/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_checkpoint_ext_t {
    pub struct_size: u32,
    pub save: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            dir: *const c_char,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub resume: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            dir: *const c_char,
            found: *mut i32,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub remove: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            dir: *const c_char,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
}

/// "trainer.distributed/1" (ABI 1.2): this process's rank and the number of processes training
/// together under `mpirun` (rank 0 of 1 without it).
pub const TRAINER_EXT_DISTRIBUTED: &str = "trainer.distributed/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_distributed_ext_t {
    pub struct_size: u32,
    pub rank: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> i64>,
    pub world_size: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> i64>,
}

/// "trainer.logs/1" (ABI 1.2): values a plugin adds to the logs of the hook being called.
pub const TRAINER_EXT_LOGS: &str = "trainer.logs/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_logs_ext_t {
    pub struct_size: u32,
    pub set: Option<
        unsafe extern "C" fn(host: *const trainer_host_t, name: *const c_char, value: f64) -> trainer_status_t,
    >,
}

/// "trainer.weights/1" (ABI 1.2): weights set from buffers the plugin owns.
pub const TRAINER_EXT_WEIGHTS: &str = "trainer.weights/1";

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_weights_ext_t {
    pub struct_size: u32,
    pub set_weight: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            index: i64,
            data: *const f32,
            element_count: i64,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub set_weights: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            count: i64,
            data: *const *const f32,
            element_counts: *const i64,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
}

/// "trainer.predict/1" (ABI 1.2): the model's outputs on the validation data or on inputs the
/// plugin passes.
pub const TRAINER_EXT_PREDICT: &str = "trainer.predict/1";

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct trainer_prediction_t {
    pub struct_size: u32,
    pub reserved: u32,
    pub first_sample: i64,
    pub rows: i64,
    pub output_size: i64,
    pub outputs: *const f32,
    pub target_size: i64,
    pub targets: *const f32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_predict_ext_t {
    pub struct_size: u32,
    pub validation_batches: Option<unsafe extern "C" fn(host: *const trainer_host_t) -> i64>,
    pub predict_validation_batch: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            batch: i64,
            out: *mut trainer_prediction_t,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub predict: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            inputs: *const f32,
            rows: i64,
            input_size: i64,
            out: *mut trainer_prediction_t,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
}

/* ---- Hooks ---- */

pub type trainer_hook_fn = Option<unsafe extern "C" fn(instance: *mut c_void, logs: *const trainer_logs_t) -> trainer_status_t>;
pub type trainer_indexed_hook_fn =
    Option<unsafe extern "C" fn(instance: *mut c_void, index: i64, logs: *const trainer_logs_t) -> trainer_status_t>;

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct trainer_hooks_t {
    pub struct_size: u32,
    pub on_train_begin: trainer_hook_fn,
    pub on_train_end: trainer_hook_fn,
    pub on_epoch_begin: trainer_indexed_hook_fn,
    pub on_epoch_end: trainer_indexed_hook_fn,
    pub on_train_batch_begin: trainer_indexed_hook_fn,
    pub on_train_batch_end: trainer_indexed_hook_fn,
    pub on_test_begin: trainer_hook_fn,
    pub on_test_end: trainer_hook_fn,
    pub on_test_batch_begin: trainer_indexed_hook_fn,
    pub on_test_batch_end: trainer_indexed_hook_fn,
    pub on_predict_begin: trainer_hook_fn,
    pub on_predict_end: trainer_hook_fn,
    pub on_predict_batch_begin: trainer_indexed_hook_fn,
    pub on_predict_batch_end: trainer_indexed_hook_fn,
}

/* ---- Saved state ---- */

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_byte_sink_t {
    pub struct_size: u32,
    pub sink_data: *mut c_void,
    pub write: Option<
        unsafe extern "C" fn(sink: *const trainer_byte_sink_t, bytes: *const c_void, size: usize) -> trainer_status_t,
    >,
}

/* ---- The descriptor ---- */

#[repr(C)]
#[derive(Clone, Copy)]
pub struct trainer_plugin_descriptor_t {
    pub struct_size: u32,
    pub abi: trainer_abi_version_t,
    pub id: *const c_char,
    pub name: *const c_char,
    pub version: *const c_char,
    pub summary: *const c_char,
    pub toolchain: *const c_char,
    pub param_count: u32,
    pub params: *const *const trainer_param_spec_t,
    pub create: Option<
        unsafe extern "C" fn(
            host: *const trainer_host_t,
            params: *const trainer_param_values_t,
            instance_out: *mut *mut c_void,
            error: *mut c_char,
            error_size: usize,
        ) -> trainer_status_t,
    >,
    pub destroy: Option<unsafe extern "C" fn(instance: *mut c_void)>,
    pub hooks: *const trainer_hooks_t,
    pub save_state:
        Option<unsafe extern "C" fn(instance: *mut c_void, sink: *const trainer_byte_sink_t) -> trainer_status_t>,
    pub load_state:
        Option<unsafe extern "C" fn(instance: *mut c_void, bytes: *const c_void, size: usize) -> trainer_status_t>,
    /* ABI 1.1 */
    pub instance_hooks: Option<unsafe extern "C" fn(instance: *mut c_void) -> *const trainer_hooks_t>,
}

pub type trainer_plugin_entry_fn = unsafe extern "C" fn() -> *const trainer_plugin_descriptor_t;
