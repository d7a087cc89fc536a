use crate::abi::*;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use crate::trainer_offset_of as offset_of;
use std::mem::size_of;


/// Severity of [`Host::log`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug = TRAINER_LOG_DEBUG as isize,
    Info = TRAINER_LOG_INFO as isize,
    Warning = TRAINER_LOG_WARNING as isize,
    Error = TRAINER_LOG_ERROR as isize,
}

/// The run's parameters (Keras's `callback.params`, and the run directory).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunParams {
    pub verbose: i32,
    pub epochs: i64,
    pub steps: i64,
    pub batch_size: i64,
    pub samples: i64,
    pub initial_epoch: i64,
    pub run_dir: String,
    pub validation_samples: i64,
}

/// One batch of the model's outputs (trainer.predict/1), with its targets. The slices are the
/// host's, valid until the next call of the extension or the end of the current hook: the
/// borrow of the [`Host`] that made it enforces the first, and a hook cannot keep it past
/// its return.
#[derive(Debug, Clone, Copy)]
pub struct Prediction<'a> {
    /// Index of the batch's first sample in its data (0 for [`Host::predict`]).
    pub first_sample: i64,
    /// Samples in the batch.
    pub rows: usize,
    /// Values per sample in `outputs`.
    pub output_size: usize,
    /// `rows * output_size` values, row-major, in sample order.
    pub outputs: &'a [f32],
    /// Values per sample in `targets`: 1 for class indices (as floats), the output size for
    /// one-hot or regression targets, 0 when there are none.
    pub target_size: usize,
    /// `rows * target_size` values; empty when there are no targets.
    pub targets: &'a [f32],
}

impl<'a> Prediction<'a> {
    /// The outputs of sample `row` (0 ..< rows).
    pub fn output(&self, row: usize) -> &'a [f32] {
        &self.outputs[row * self.output_size..(row + 1) * self.output_size]
    }

    /// The targets of sample `row` (0 ..< rows); empty when there are none.
    pub fn target(&self, row: usize) -> &'a [f32] {
        &self.targets[row * self.target_size..(row + 1) * self.target_size]
    }
}

/// What a plugin may ask of the host: one per instance, given to `create`. Its functions may
/// be called only from inside a call the host made (`create` or a hook), on that thread; the
/// host table behind it lives until the instance is dropped.
pub struct Host {
    raw: *const trainer_host_t,
    /// The part of the host's table this crate knows; fields the host lacks are None.
    table: trainer_host_t,
}

impl Host {
    /// # Safety
    /// `raw` is a host table valid until the instance is destroyed.
    pub(crate) unsafe fn from_raw(raw: *const trainer_host_t) -> Host {
        let mut table: trainer_host_t = std::mem::zeroed();
        if !raw.is_null() {
            let size = (std::ptr::read_unaligned(raw as *const u32) as usize).min(size_of::<trainer_host_t>());
            std::ptr::copy_nonoverlapping(raw as *const u8, &mut table as *mut trainer_host_t as *mut u8, size);
        }
        Host { raw, table }
    }

    /// The host's log function, for messages written after a hook failed.
    pub(crate) fn raw_log(&self) -> Option<unsafe extern "C" fn(*const trainer_host_t, trainer_log_level_t, *const c_char)> {
        self.table.log
    }

    /// The host's ABI version (major, minor).
    pub fn abi(&self) -> (u32, u32) {
        (self.table.abi.major, self.table.abi.minor)
    }

    /// Keras's `model.stop_training = True`: training stops after the current batch.
    pub fn stop_training(&self) {
        if let Some(stop) = self.table.stop_training {
            unsafe { stop(self.raw) }
        }
    }

    /// Stops training as [`Host::stop_training`] does, with the reason a user reads (the host
    /// prints it and records it in the run's report.json), e.g. "loss is NaN". A host older
    /// than ABI 1.2 has no such function: then training stops without the reason.
    pub fn stop_training_because(&self, reason: &str) {
        match self.table.stop_training_because {
            Some(stop) => {
                let reason = CString::new(reason.replace('\0', " ")).unwrap_or_default();
                unsafe { stop(self.raw, reason.as_ptr()) }
            }
            None => self.stop_training(),
        }
    }

    /// The optimizer's learning rate.
    pub fn learning_rate(&self) -> Option<f64> {
        self.table.get_learning_rate.map(|get| unsafe { get(self.raw) })
    }

    /// Sets the learning rate from the next step; a negative or non-finite rate is refused.
    pub fn set_learning_rate(&self, rate: f64) -> Result<(), crate::Error> {
        let set = self.table.set_learning_rate.ok_or("the host cannot set the learning rate")?;
        match unsafe { set(self.raw, rate) } {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(crate::Error::new(format!("the host refused the learning rate {rate}"))),
        }
    }

    /// The run's parameters, or None when the host cannot tell.
    pub fn run_params(&self) -> Option<RunParams> {
        let get = self.table.get_run_params?;
        let mut out: trainer_run_params_t = unsafe { std::mem::zeroed() };
        out.struct_size = size_of::<trainer_run_params_t>() as u32;
        if unsafe { get(self.raw, &mut out) } != TRAINER_STATUS_OK {
            return None;
        }
        let written = out.struct_size as usize;
        let has = |offset: usize, size: usize| written >= offset + size;
        let run_dir = if has(offset_of!(trainer_run_params_t, run_dir), 8) && !out.run_dir.is_null() {
            unsafe { CStr::from_ptr(out.run_dir) }.to_string_lossy().into_owned()
        } else {
            String::new()
        };
        Some(RunParams {
            verbose: out.verbose,
            epochs: out.epochs,
            steps: out.steps,
            batch_size: out.batch_size,
            samples: out.samples,
            initial_epoch: out.initial_epoch,
            run_dir,
            validation_samples: if has(offset_of!(trainer_run_params_t, validation_samples), 8) {
                out.validation_samples
            } else {
                0
            },
        })
    }

    /// Prints `message` through the host's log, which prefixes the plugin's id.
    pub fn log(&self, level: LogLevel, message: &str) {
        if let Some(log) = self.table.log {
            let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
            unsafe { log(self.raw, level as trainer_log_level_t, text.as_ptr()) }
        }
    }

    pub fn debug(&self, message: &str) {
        self.log(LogLevel::Debug, message)
    }

    pub fn info(&self, message: &str) {
        self.log(LogLevel::Info, message)
    }

    pub fn warning(&self, message: &str) {
        self.log(LogLevel::Warning, message)
    }

    pub fn error(&self, message: &str) {
        self.log(LogLevel::Error, message)
    }

    /// The extension `id` (e.g. "trainer.report/1") as a `T` whose first field is
    /// `struct_size`, when the host has it and its struct_size covers all of `T`.
    ///
    /// # Safety
    /// `T` must be the struct the extension's documentation defines for `id`.
    pub unsafe fn extension<T>(&self, id: &str) -> Option<&T> {
        let get = self.table.get_extension?;
        let id = CString::new(id).ok()?;
        let pointer = get(self.raw, id.as_ptr());
        if pointer.is_null() || (std::ptr::read_unaligned(pointer as *const u32) as usize) < size_of::<T>() {
            return None;
        }
        Some(&*(pointer as *const T))
    }

    /// States a decision as a named number (trainer.report/1): `trainer replay` prints it and
    /// a run records it in its report. Returns false when the host lacks the extension.
    pub fn report(&self, name: &str, value: f64) -> bool {
        let extension = match unsafe { self.extension::<trainer_report_ext_t>(TRAINER_EXT_REPORT) } {
            Some(extension) => extension,
            None => return false,
        };
        match (extension.report, CString::new(name)) {
            (Some(report), Ok(name)) => {
                unsafe { report(self.raw, name.as_ptr(), value) };
                true
            }
            _ => false,
        }
    }

    /// Saves all weights to `path` (safetensors, written under a temporary name and renamed).
    pub fn save_weights(&self, path: &str) -> Result<(), crate::Error> {
        let save = self.table.save_weights.ok_or("the host cannot save weights")?;
        let path = CString::new(path)?;
        let mut error = [0 as c_char; 512];
        match unsafe { save(self.raw, path.as_ptr(), error.as_mut_ptr(), error.len()) } {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(crate::Error::new(unsafe { CStr::from_ptr(error.as_ptr()) }.to_string_lossy())),
        }
    }

    /// Sets `name` to `value` in the logs of the hook being called (trainer.logs/1), as a Keras
    /// callback writes `logs["val_f1"] = f1`: the plugins called after this one for the same
    /// hook see it. Only from inside a hook; the host refuses a bad name (1 to 255 bytes, no
    /// control characters) and logs why.
    pub fn set_log(&self, name: &str, value: f64) -> Result<(), crate::Error> {
        let extension = unsafe { self.extension::<trainer_logs_ext_t>(TRAINER_EXT_LOGS) }
            .ok_or("the host does not have trainer.logs/1")?;
        let set = extension.set.ok_or("the host does not have trainer.logs/1")?;
        let text = CString::new(name)?;
        match unsafe { set(self.raw, text.as_ptr(), value) } {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(crate::Error::new(format!("the host refused the log value {name}"))),
        }
    }

    fn weights_extension(&self) -> Result<&trainer_weights_ext_t, crate::Error> {
        unsafe { self.extension::<trainer_weights_ext_t>(TRAINER_EXT_WEIGHTS) }
            .ok_or_else(|| crate::Error::new("the host does not have trainer.weights/1"))
    }

    /// Sets weight `index` (numbered as the host's get_weight shows them) from `data`, which
    /// must hold exactly that weight's element count, row-major in its shape
    /// (trainer.weights/1). The host copies `data`; nothing changes on failure.
    pub fn set_weight(&self, index: i64, data: &[f32]) -> Result<(), crate::Error> {
        let set = self.weights_extension()?.set_weight.ok_or("the host does not have trainer.weights/1")?;
        let mut error = [0 as c_char; 512];
        match unsafe { set(self.raw, index, data.as_ptr(), data.len() as i64, error.as_mut_ptr(), error.len()) } {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(failure(&error, format!("the host refused weight {index}"))),
        }
    }

    /// Sets every weight at once, as Keras's `model.set_weights`: one slice per weight, in the
    /// host's order, each of that weight's element count (trainer.weights/1). Nothing changes
    /// on failure.
    pub fn set_weights(&self, weights: &[&[f32]]) -> Result<(), crate::Error> {
        let set = self.weights_extension()?.set_weights.ok_or("the host does not have trainer.weights/1")?;
        let data: Vec<*const f32> = weights.iter().map(|weight| weight.as_ptr()).collect();
        let counts: Vec<i64> = weights.iter().map(|weight| weight.len() as i64).collect();
        let mut error = [0 as c_char; 512];
        let status = unsafe {
            set(self.raw, weights.len() as i64, data.as_ptr(), counts.as_ptr(), error.as_mut_ptr(), error.len())
        };
        match status {
            TRAINER_STATUS_OK => Ok(()),
            _ => Err(failure(&error, "the host refused the weights".to_string())),
        }
    }

    fn predict_extension(&self) -> Result<&trainer_predict_ext_t, crate::Error> {
        unsafe { self.extension::<trainer_predict_ext_t>(TRAINER_EXT_PREDICT) }
            .ok_or_else(|| crate::Error::new("the host does not have trainer.predict/1"))
    }

    /// The number of batches the run's validation data makes at the run's batch size
    /// (trainer.predict/1); 0 when the run has none or the host lacks the extension.
    pub fn validation_batches(&self) -> i64 {
        match self.predict_extension().ok().and_then(|extension| extension.validation_batches) {
            Some(count) => unsafe { count(self.raw) },
            None => 0,
        }
    }

    /// The model's outputs on validation batch `batch` (0 ..< [`Host::validation_batches`]),
    /// with its targets, in inference mode (trainer.predict/1), as a Keras callback calls
    /// `self.model.predict(x_val)`. The result borrows the host until it is dropped.
    pub fn predict_validation_batch(&mut self, batch: i64) -> Result<Prediction<'_>, crate::Error> {
        let predict = self
            .predict_extension()?
            .predict_validation_batch
            .ok_or("the host does not have trainer.predict/1")?;
        let mut out: trainer_prediction_t = unsafe { std::mem::zeroed() };
        out.struct_size = size_of::<trainer_prediction_t>() as u32;
        let mut error = [0 as c_char; 512];
        match unsafe { predict(self.raw, batch, &mut out, error.as_mut_ptr(), error.len()) } {
            TRAINER_STATUS_OK => unsafe { prediction(&out) },
            _ => Err(failure(&error, format!("the host could not predict validation batch {batch}"))),
        }
    }

    /// The model's outputs on `rows` samples of `input_size` values each, row-major in
    /// `inputs` (which must hold exactly `rows * input_size` values, normalized as the model
    /// reads them), in inference mode (trainer.predict/1). The result has no targets and
    /// borrows the host until it is dropped.
    pub fn predict(&mut self, inputs: &[f32], rows: usize, input_size: usize) -> Result<Prediction<'_>, crate::Error> {
        if rows.checked_mul(input_size) != Some(inputs.len()) {
            return Err(crate::Error::new(format!(
                "predict was given {} input values for {rows} rows of {input_size}",
                inputs.len()
            )));
        }
        let predict = self.predict_extension()?.predict.ok_or("the host does not have trainer.predict/1")?;
        let mut out: trainer_prediction_t = unsafe { std::mem::zeroed() };
        out.struct_size = size_of::<trainer_prediction_t>() as u32;
        let mut error = [0 as c_char; 512];
        let status = unsafe {
            predict(self.raw, inputs.as_ptr(), rows as i64, input_size as i64, &mut out, error.as_mut_ptr(), error.len())
        };
        match status {
            TRAINER_STATUS_OK => unsafe { prediction(&out) },
            _ => Err(failure(&error, "the host could not predict".to_string())),
        }
    }
}

/// The slices of a prediction the host filled, reading only the fields its struct_size covers.
///
/// # Safety
/// `out` was filled by the host's trainer.predict/1 and its arrays live for `'a`.
unsafe fn prediction<'a>(out: &trainer_prediction_t) -> Result<Prediction<'a>, crate::Error> {
    let written = (out.struct_size as usize).min(size_of::<trainer_prediction_t>());
    let has = |offset: usize, size: usize| written >= offset + size;
    if !has(offset_of!(trainer_prediction_t, outputs), size_of::<*const f32>()) {
        return Err(crate::Error::new("the host's prediction has no outputs"));
    }
    let shape = |rows: i64, size: i64| -> Option<(usize, usize, usize)> {
        let rows = usize::try_from(rows).ok()?;
        let size = usize::try_from(size).ok()?;
        Some((rows, size, rows.checked_mul(size)?))
    };
    let (rows, output_size, output_count) = shape(out.rows, out.output_size)
        .ok_or_else(|| crate::Error::new(format!("the host's prediction has {} rows of {}", out.rows, out.output_size)))?;
    let outputs = slice(out.outputs, output_count).ok_or("the host's prediction has no outputs")?;
    let (target_size, targets) = if has(offset_of!(trainer_prediction_t, targets), size_of::<*const f32>()) {
        let (_, target_size, target_count) = shape(out.rows, out.target_size)
            .ok_or_else(|| crate::Error::new(format!("the host's prediction has targets of {}", out.target_size)))?;
        match slice(out.targets, target_count) {
            Some(targets) => (target_size, targets),
            None => (0, &[][..]),
        }
    } else {
        (0, &[][..])
    };
    Ok(Prediction { first_sample: out.first_sample, rows, output_size, outputs, target_size, targets })
}

/// The message the host wrote into `error`, or `otherwise` when it wrote none.
fn failure(error: &[c_char], otherwise: String) -> crate::Error {
    let message = unsafe { CStr::from_ptr(error.as_ptr()) }.to_string_lossy();
    crate::Error::new(if message.is_empty() { otherwise } else { message.into_owned() })
}

/// `count` floats at `data`: empty when count is 0, None when data is NULL for a nonzero count.
///
/// # Safety
/// `data` is NULL or points at `count` floats valid for `'a`.
unsafe fn slice<'a>(data: *const f32, count: usize) -> Option<&'a [f32]> {
    if count == 0 {
        Some(&[])
    } else if data.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(data, count))
    }
}
