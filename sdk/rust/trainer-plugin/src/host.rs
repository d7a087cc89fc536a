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
}
