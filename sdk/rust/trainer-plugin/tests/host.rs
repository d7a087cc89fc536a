//! The safe host wrappers of ABI 1.2 (stop_training_because, trainer.logs/1, trainer.weights/1,
//! trainer.predict/1) and the required parameter flag, against a host table built here: each
//! test gives a body to a plugin's `create`, which runs it with the `Host` it receives.
use std::cell::RefCell;
use std::ffi::CStr;
use std::os::raw::{c_char, c_void};
use trainer_plugin::abi::*;
use trainer_plugin::export::Exported;
use trainer_plugin::trainer_offset_of as offset_of;
use trainer_plugin::{Callback, Error, Host, Param, Params, PluginInfo};

type Body = Box<dyn FnOnce(&mut Host)>;

thread_local! {
    static BODY: RefCell<Option<Body>> = RefCell::new(None);
    static CALLS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static OUTPUTS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

fn record(call: String) {
    CALLS.with(|calls| calls.borrow_mut().push(call));
}

fn calls() -> Vec<String> {
    CALLS.with(|calls| std::mem::take(&mut *calls.borrow_mut()))
}

unsafe fn text(pointer: *const c_char) -> String {
    CStr::from_ptr(pointer).to_string_lossy().into_owned()
}

unsafe fn write_error(error: *mut c_char, error_size: usize, message: &str) {
    let length = message.len().min(error_size - 1);
    std::ptr::copy_nonoverlapping(message.as_ptr() as *const c_char, error, length);
    *error.add(length) = 0;
}

unsafe extern "C" fn stop_training(_: *const trainer_host_t) {
    record("stop".to_string());
}

unsafe extern "C" fn stop_training_because(_: *const trainer_host_t, reason: *const c_char) {
    record(format!("stop because {}", text(reason)));
}

unsafe extern "C" fn set_log(_: *const trainer_host_t, name: *const c_char, value: f64) -> trainer_status_t {
    let name = text(name);
    if name == "bad name" {
        return TRAINER_STATUS_ERROR;
    }
    record(format!("log {name}={value}"));
    TRAINER_STATUS_OK
}

unsafe extern "C" fn set_weight(
    _: *const trainer_host_t,
    index: i64,
    data: *const f32,
    element_count: i64,
    error: *mut c_char,
    error_size: usize,
) -> trainer_status_t {
    if element_count != 3 {
        write_error(error, error_size, &format!("weight {index} has 3 elements, not {element_count}"));
        return TRAINER_STATUS_ERROR;
    }
    let values = std::slice::from_raw_parts(data, element_count as usize);
    record(format!("weight {index} {values:?}"));
    TRAINER_STATUS_OK
}

unsafe extern "C" fn set_weights(
    _: *const trainer_host_t,
    count: i64,
    data: *const *const f32,
    element_counts: *const i64,
    _error: *mut c_char,
    _error_size: usize,
) -> trainer_status_t {
    if count != 2 {
        return TRAINER_STATUS_ERROR;
    }
    for index in 0..count as usize {
        let values = std::slice::from_raw_parts(*data.add(index), *element_counts.add(index) as usize);
        record(format!("weights {index} {values:?}"));
    }
    TRAINER_STATUS_OK
}

static VALIDATION_OUTPUTS: [f32; 4] = [0.1, 0.9, 0.8, 0.2];
static VALIDATION_TARGETS: [f32; 2] = [1.0, 0.0];

unsafe extern "C" fn validation_batches(_: *const trainer_host_t) -> i64 {
    2
}

unsafe extern "C" fn predict_validation_batch(
    _: *const trainer_host_t,
    batch: i64,
    out: *mut trainer_prediction_t,
    error: *mut c_char,
    error_size: usize,
) -> trainer_status_t {
    if !(0..2).contains(&batch) {
        write_error(error, error_size, &format!("no validation batch {batch}"));
        return TRAINER_STATUS_ERROR;
    }
    let out = &mut *out;
    out.first_sample = batch * 2;
    out.rows = 2;
    out.output_size = 2;
    out.outputs = VALIDATION_OUTPUTS.as_ptr();
    if out.struct_size as usize >= offset_of!(trainer_prediction_t, targets) + 8 {
        out.target_size = 1;
        out.targets = VALIDATION_TARGETS.as_ptr();
    }
    TRAINER_STATUS_OK
}

/// Outputs one value per sample: the sum of its inputs.
unsafe extern "C" fn predict(
    _: *const trainer_host_t,
    inputs: *const f32,
    rows: i64,
    input_size: i64,
    out: *mut trainer_prediction_t,
    _error: *mut c_char,
    _error_size: usize,
) -> trainer_status_t {
    let inputs = std::slice::from_raw_parts(inputs, (rows * input_size) as usize);
    let outputs = OUTPUTS.with(|outputs| {
        let mut outputs = outputs.borrow_mut();
        *outputs = inputs.chunks(input_size as usize).map(|row| row.iter().sum()).collect();
        outputs.as_ptr()
    });
    let out = &mut *out;
    out.rows = rows;
    out.output_size = 1;
    out.outputs = outputs;
    TRAINER_STATUS_OK
}

static LOGS_EXT: trainer_logs_ext_t = trainer_logs_ext_t { struct_size: std::mem::size_of::<trainer_logs_ext_t>() as u32, set: Some(set_log) };
static WEIGHTS_EXT: trainer_weights_ext_t = trainer_weights_ext_t {
    struct_size: std::mem::size_of::<trainer_weights_ext_t>() as u32,
    set_weight: Some(set_weight),
    set_weights: Some(set_weights),
};
static PREDICT_EXT: trainer_predict_ext_t = trainer_predict_ext_t {
    struct_size: std::mem::size_of::<trainer_predict_ext_t>() as u32,
    validation_batches: Some(validation_batches),
    predict_validation_batch: Some(predict_validation_batch),
    predict: Some(predict),
};
/// A trainer.predict/1 struct whose struct_size ends before `predict`.
static SHORT_PREDICT_EXT: trainer_predict_ext_t = trainer_predict_ext_t {
    struct_size: std::mem::size_of::<trainer_predict_ext_t>() as u32 - 8,
    validation_batches: Some(validation_batches),
    predict_validation_batch: Some(predict_validation_batch),
    predict: Some(predict),
};

unsafe extern "C" fn get_extension(_: *const trainer_host_t, id: *const c_char) -> *const c_void {
    match text(id).as_str() {
        TRAINER_EXT_LOGS => &LOGS_EXT as *const trainer_logs_ext_t as *const c_void,
        TRAINER_EXT_WEIGHTS => &WEIGHTS_EXT as *const trainer_weights_ext_t as *const c_void,
        TRAINER_EXT_PREDICT => &PREDICT_EXT as *const trainer_predict_ext_t as *const c_void,
        _ => std::ptr::null(),
    }
}

unsafe extern "C" fn get_short_extension(_: *const trainer_host_t, id: *const c_char) -> *const c_void {
    match text(id).as_str() {
        TRAINER_EXT_PREDICT => &SHORT_PREDICT_EXT as *const trainer_predict_ext_t as *const c_void,
        _ => std::ptr::null(),
    }
}

/// A host of this crate's ABI with every function the tests use.
fn host_table() -> trainer_host_t {
    let mut table: trainer_host_t = unsafe { std::mem::zeroed() };
    table.struct_size = std::mem::size_of::<trainer_host_t>() as u32;
    table.abi = trainer_abi_version_t { major: TRAINER_ABI_MAJOR, minor: TRAINER_ABI_MINOR };
    table.stop_training = Some(stop_training);
    table.stop_training_because = Some(stop_training_because);
    table.get_extension = Some(get_extension);
    table
}

struct Probe;

impl Callback for Probe {
    fn info() -> PluginInfo {
        PluginInfo::new("Probe", "0.1.0", "runs a test's body in create")
            .param(Param::string("filepath", "unused.keras", "where to write").required())
            .param(Param::int("patience", 2, "epochs to wait"))
    }

    fn create(mut host: Host, _params: &Params) -> Result<Self, Error> {
        let body = BODY.with(|body| body.borrow_mut().take()).expect("a body");
        body(&mut host);
        Ok(Probe)
    }
}

/// Calls the plugin's `create` with `table`; `body` runs there with its Host.
fn with_host(table: &trainer_host_t, body: impl FnOnce(&mut Host) + 'static) {
    BODY.with(|slot| *slot.borrow_mut() = Some(Box::new(body)));
    let exported = Exported::new::<Probe>();
    let descriptor = unsafe { &*exported.descriptor() };
    let mut instance: *mut c_void = std::ptr::null_mut();
    let mut error = [0 as c_char; 512];
    let status = unsafe {
        (descriptor.create.unwrap())(table, std::ptr::null(), &mut instance, error.as_mut_ptr(), error.len())
    };
    assert_eq!(status, TRAINER_STATUS_OK, "create failed: {}", unsafe { text(error.as_ptr()) });
    unsafe { (descriptor.destroy.unwrap())(instance) };
}

#[test]
fn stop_training_because_gives_the_reason_and_falls_back_on_an_older_host() {
    let table = host_table();
    with_host(&table, |host| host.stop_training_because("loss is NaN"));
    assert_eq!(calls(), ["stop because loss is NaN"]);

    let mut old = host_table();
    old.struct_size = offset_of!(trainer_host_t, stop_training_because) as u32;
    with_host(&old, |host| host.stop_training_because("loss is NaN"));
    assert_eq!(calls(), ["stop"]);

    let mut unset = host_table();
    unset.stop_training_because = None;
    with_host(&unset, |host| host.stop_training_because("loss is NaN"));
    assert_eq!(calls(), ["stop"]);
}

#[test]
fn set_log_goes_through_trainer_logs() {
    with_host(&host_table(), |host| {
        assert_eq!(host.set_log("val_f1", 0.5), Ok(()));
        assert!(host.set_log("bad name", 1.0).is_err());
        assert!(host.set_log("nul\0inside", 1.0).is_err());
    });
    assert_eq!(calls(), ["log val_f1=0.5"]);

    let mut without = host_table();
    without.get_extension = None;
    with_host(&without, |host| {
        let error = host.set_log("val_f1", 0.5).unwrap_err();
        assert!(error.message().contains("trainer.logs/1"), "{}", error.message());
    });
}

#[test]
fn weights_are_set_from_slices() {
    with_host(&host_table(), |host| {
        assert_eq!(host.set_weight(1, &[1.0, 2.0, 3.0]), Ok(()));
        let error = host.set_weight(1, &[1.0]).unwrap_err();
        assert_eq!(error.message(), "weight 1 has 3 elements, not 1");
        assert_eq!(host.set_weights(&[&[1.0], &[2.0, 3.0]]), Ok(()));
        let error = host.set_weights(&[&[1.0]]).unwrap_err();
        assert_eq!(error.message(), "the host refused the weights");
    });
    assert_eq!(calls(), ["weight 1 [1.0, 2.0, 3.0]", "weights 0 [1.0]", "weights 1 [2.0, 3.0]"]);
}

#[test]
fn predictions_borrow_the_host_arrays() {
    with_host(&host_table(), |host| {
        assert_eq!(host.validation_batches(), 2);
        let prediction = host.predict_validation_batch(1).unwrap();
        assert_eq!((prediction.first_sample, prediction.rows, prediction.output_size), (2, 2, 2));
        assert_eq!(prediction.outputs, &VALIDATION_OUTPUTS[..]);
        assert_eq!(prediction.output(1), &[0.8, 0.2][..]);
        assert_eq!((prediction.target_size, prediction.target(0)), (1, &[1.0][..]));
        let error = host.predict_validation_batch(2).unwrap_err();
        assert_eq!(error.message(), "no validation batch 2");

        let prediction = host.predict(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3).unwrap();
        assert_eq!((prediction.rows, prediction.output_size, prediction.outputs), (2, 1, &[6.0, 15.0][..]));
        assert_eq!((prediction.target_size, prediction.targets), (0, &[][..]));
        assert!(host.predict(&[1.0, 2.0], 2, 3).is_err());
    });

    let mut short = host_table();
    short.get_extension = Some(get_short_extension);
    with_host(&short, |host| {
        assert_eq!(host.validation_batches(), 0);
        assert!(host.predict_validation_batch(0).is_err());
    });
}

#[test]
fn a_required_parameter_has_the_flag_and_no_default() {
    let exported = Exported::new::<Probe>();
    let descriptor = unsafe { &*exported.descriptor() };
    assert_eq!(descriptor.param_count, 2);
    let specs = unsafe { std::slice::from_raw_parts(descriptor.params, 2) };
    let (filepath, patience) = unsafe { (&*specs[0], &*specs[1]) };
    assert_eq!(filepath.flags, TRAINER_PARAM_REQUIRED | TRAINER_PARAM_NULLABLE);
    assert_eq!(filepath.default_value.r#type, TRAINER_VALUE_NONE);
    assert_eq!(patience.flags & TRAINER_PARAM_REQUIRED, 0);
}
