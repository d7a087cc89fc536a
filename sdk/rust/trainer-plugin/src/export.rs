//! What `export_plugin!` expands to calls: the descriptor built from a [`Callback`], and the
//! `extern "C"` functions the host calls, each catching panics at the boundary.
use crate::abi::*;
use crate::{Callback, Error, Hook, Host, Logs, Params};
use std::ffi::CString;
use std::os::raw::{c_char, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The descriptor and everything it points at, built once per process and never freed (the
/// ABI asks it to stay valid until exit).
pub struct Exported {
    descriptor: Box<trainer_plugin_descriptor_t>,
    _hooks: Box<trainer_hooks_t>,
    _specs: Vec<trainer_param_spec_t>,
    _spec_pointers: Vec<*const trainer_param_spec_t>,
    _strings: Vec<CString>,
}

// SAFETY: immutable once built; the pointers lead only into the struct's own boxes.
unsafe impl Send for Exported {}
unsafe impl Sync for Exported {}

impl Exported {
    pub fn new<T: Callback>() -> Exported {
        let info = T::info();
        let mut strings = Vec::new();
        let mut keep = |text: &str| -> *const c_char {
            let owned = CString::new(text.replace('\0', "")).unwrap_or_default();
            let pointer = owned.as_ptr();
            strings.push(owned);
            pointer
        };
        let (id, name, version, summary) = (keep(&info.id), keep(&info.name), keep(&info.version), keep(&info.summary));
        let specs: Vec<trainer_param_spec_t> = info.params.iter().map(|param| param.to_spec(&mut strings)).collect();
        let spec_pointers: Vec<*const trainer_param_spec_t> =
            specs.iter().map(|spec| spec as *const trainer_param_spec_t).collect();
        let hooks = Box::new(hooks::<T>());
        let descriptor = Box::new(trainer_plugin_descriptor_t {
            struct_size: std::mem::size_of::<trainer_plugin_descriptor_t>() as u32,
            abi: trainer_abi_version_t { major: TRAINER_ABI_MAJOR, minor: TRAINER_ABI_MINOR },
            id,
            name,
            version,
            summary,
            // Rust's standard library is linked into each plugin: no shared runtime to match.
            toolchain: std::ptr::null(),
            param_count: spec_pointers.len() as u32,
            params: if spec_pointers.is_empty() { std::ptr::null() } else { spec_pointers.as_ptr() },
            create: Some(create::<T>),
            destroy: Some(destroy::<T>),
            hooks: &*hooks,
            save_state: if T::SAVES_STATE { Some(save_state::<T>) } else { None },
            load_state: if T::SAVES_STATE { Some(load_state::<T>) } else { None },
            instance_hooks: None,
        });
        Exported { descriptor, _hooks: hooks, _specs: specs, _spec_pointers: spec_pointers, _strings: strings }
    }

    pub fn descriptor(&self) -> *const trainer_plugin_descriptor_t {
        &*self.descriptor
    }
}

/// The descriptor of `T`, built on the first call and kept in `slot` (a static of the
/// plugin's, from `export_plugin!`) for every later one; never freed.
pub fn entry<T: Callback>(slot: &'static AtomicPtr<trainer_plugin_descriptor_t>) -> *const trainer_plugin_descriptor_t {
    let existing = slot.load(Ordering::Acquire);
    if !existing.is_null() {
        return existing;
    }
    let exported: &'static Exported = Box::leak(Box::new(Exported::new::<T>()));
    let descriptor = exported.descriptor() as *mut trainer_plugin_descriptor_t;
    match slot.compare_exchange(std::ptr::null_mut(), descriptor, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => descriptor,
        Err(first) => first,
    }
}

/// One plugin instance: the callback and its host.
struct Instance<T> {
    callback: T,
    host: *const trainer_host_t,
    log: Option<unsafe extern "C" fn(*const trainer_host_t, trainer_log_level_t, *const c_char)>,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Writes `message` into the host's error buffer, cut at a character boundary.
unsafe fn write_error(error: *mut c_char, error_size: usize, message: &str) {
    if error.is_null() || error_size == 0 {
        return;
    }
    let mut end = message.len().min(error_size - 1);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = message[..end].replace('\0', " ");
    std::ptr::copy_nonoverlapping(bytes.as_ptr() as *const c_char, error, bytes.len());
    *error.add(bytes.len()) = 0;
}

unsafe extern "C" fn create<T: Callback>(
    host: *const trainer_host_t,
    params: *const trainer_param_values_t,
    instance_out: *mut *mut c_void,
    error: *mut c_char,
    error_size: usize,
) -> trainer_status_t {
    if host.is_null() || instance_out.is_null() {
        write_error(error, error_size, "create needs a host table and an instance pointer");
        return TRAINER_STATUS_ERROR;
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        let params = Params::from_raw(params);
        T::create(Host::from_raw(host), &params)
    }));
    match result {
        Ok(Ok(callback)) => {
            let log = Host::from_raw(host).raw_log();
            let instance = Box::new(Instance { callback, host, log });
            *instance_out = Box::into_raw(instance) as *mut c_void;
            TRAINER_STATUS_OK
        }
        Ok(Err(failure)) => {
            write_error(error, error_size, failure.message());
            TRAINER_STATUS_ERROR
        }
        Err(payload) => {
            write_error(error, error_size, &format!("panicked in create: {}", panic_message(&*payload)));
            TRAINER_STATUS_ERROR
        }
    }
}

unsafe extern "C" fn destroy<T: Callback>(instance: *mut c_void) {
    if instance.is_null() {
        return;
    }
    // A panic in Drop must not unwind into the host either.
    let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(instance as *mut Instance<T>))));
}

/// Runs one hook: an `Err` or a panic is logged through the host and becomes an error status.
unsafe fn call<T: Callback>(
    instance: *mut c_void,
    hook: &str,
    body: impl FnOnce(&mut T) -> Result<(), Error>,
) -> trainer_status_t {
    if instance.is_null() {
        return TRAINER_STATUS_ERROR;
    }
    let instance = &mut *(instance as *mut Instance<T>);
    let message = match catch_unwind(AssertUnwindSafe(|| body(&mut instance.callback))) {
        Ok(Ok(())) => return TRAINER_STATUS_OK,
        Ok(Err(failure)) => format!("{hook} failed: {}", failure.message()),
        Err(payload) => format!("panicked in {hook}: {}", panic_message(&*payload)),
    };
    if let Some(log) = instance.log {
        let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
        log(instance.host, TRAINER_LOG_ERROR, text.as_ptr());
    }
    TRAINER_STATUS_ERROR
}

unsafe extern "C" fn save_state<T: Callback>(instance: *mut c_void, sink: *const trainer_byte_sink_t) -> trainer_status_t {
    call::<T>(instance, "save_state", |callback| {
        let bytes = callback.save_state()?;
        if sink.is_null() || ((std::ptr::read_unaligned(sink as *const u32) as usize) < std::mem::size_of::<trainer_byte_sink_t>()) {
            return Err(Error::new("the host gave no byte sink"));
        }
        let write = (*sink).write.ok_or("the host's byte sink has no write function")?;
        match write(sink, bytes.as_ptr() as *const c_void, bytes.len()) {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(Error::new("the host could not take the saved state")),
        }
    })
}

unsafe extern "C" fn load_state<T: Callback>(instance: *mut c_void, bytes: *const c_void, size: usize) -> trainer_status_t {
    let bytes: &[u8] = if bytes.is_null() || size == 0 { &[] } else { std::slice::from_raw_parts(bytes as *const u8, size) };
    call::<T>(instance, "load_state", |callback| callback.load_state(bytes))
}

macro_rules! plain_hook {
    ($name:ident, $method:ident) => {
        unsafe extern "C" fn $name<T: Callback>(instance: *mut c_void, logs: *const trainer_logs_t) -> trainer_status_t {
            call::<T>(instance, stringify!($method), |callback| callback.$method(&Logs::from_raw(logs)))
        }
    };
}

macro_rules! indexed_hook {
    ($name:ident, $method:ident) => {
        unsafe extern "C" fn $name<T: Callback>(
            instance: *mut c_void,
            index: i64,
            logs: *const trainer_logs_t,
        ) -> trainer_status_t {
            call::<T>(instance, stringify!($method), |callback| callback.$method(index, &Logs::from_raw(logs)))
        }
    };
}

plain_hook!(train_begin, on_train_begin);
plain_hook!(train_end, on_train_end);
indexed_hook!(epoch_begin, on_epoch_begin);
indexed_hook!(epoch_end, on_epoch_end);
indexed_hook!(train_batch_begin, on_train_batch_begin);
indexed_hook!(train_batch_end, on_train_batch_end);
plain_hook!(test_begin, on_test_begin);
plain_hook!(test_end, on_test_end);
indexed_hook!(test_batch_begin, on_test_batch_begin);
indexed_hook!(test_batch_end, on_test_batch_end);
plain_hook!(predict_begin, on_predict_begin);
plain_hook!(predict_end, on_predict_end);
indexed_hook!(predict_batch_begin, on_predict_batch_begin);
indexed_hook!(predict_batch_end, on_predict_batch_end);

/// The hook table with exactly the hooks of `T::HOOKS`.
fn hooks<T: Callback>() -> trainer_hooks_t {
    let mut table = trainer_hooks_t { struct_size: std::mem::size_of::<trainer_hooks_t>() as u32, ..Default::default() };
    for hook in T::HOOKS {
        match hook {
            Hook::OnTrainBegin => table.on_train_begin = Some(train_begin::<T>),
            Hook::OnTrainEnd => table.on_train_end = Some(train_end::<T>),
            Hook::OnEpochBegin => table.on_epoch_begin = Some(epoch_begin::<T>),
            Hook::OnEpochEnd => table.on_epoch_end = Some(epoch_end::<T>),
            Hook::OnTrainBatchBegin => table.on_train_batch_begin = Some(train_batch_begin::<T>),
            Hook::OnTrainBatchEnd => table.on_train_batch_end = Some(train_batch_end::<T>),
            Hook::OnTestBegin => table.on_test_begin = Some(test_begin::<T>),
            Hook::OnTestEnd => table.on_test_end = Some(test_end::<T>),
            Hook::OnTestBatchBegin => table.on_test_batch_begin = Some(test_batch_begin::<T>),
            Hook::OnTestBatchEnd => table.on_test_batch_end = Some(test_batch_end::<T>),
            Hook::OnPredictBegin => table.on_predict_begin = Some(predict_begin::<T>),
            Hook::OnPredictEnd => table.on_predict_end = Some(predict_end::<T>),
            Hook::OnPredictBatchBegin => table.on_predict_batch_begin = Some(predict_batch_begin::<T>),
            Hook::OnPredictBatchEnd => table.on_predict_batch_end = Some(predict_batch_end::<T>),
        }
    }
    table
}
