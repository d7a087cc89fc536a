use crate::abi::{trainer_log_item_t, trainer_logs_t};
use std::ffi::CStr;
use std::marker::PhantomData;

/// The logs a hook receives (Keras's `logs`), borrowed for the hook call: names such as
/// "loss", "accuracy", "val_loss", "learning_rate" with their values.
#[derive(Clone, Copy)]
pub struct Logs<'a> {
    items: &'a [trainer_log_item_t],
    _call: PhantomData<&'a ()>,
}

impl<'a> Logs<'a> {
    /// # Safety
    /// `logs` is NULL or points at a host's logs valid for `'a`.
    pub(crate) unsafe fn from_raw(logs: *const trainer_logs_t) -> Logs<'a> {
        let empty = Logs { items: &[], _call: PhantomData };
        if logs.is_null() {
            return empty;
        }
        let size = std::ptr::read_unaligned(logs as *const u32) as usize;
        if size < std::mem::size_of::<trainer_logs_t>() {
            return empty;
        }
        let logs = &*logs;
        if logs.items.is_null() || logs.count == 0 {
            return empty;
        }
        Logs { items: std::slice::from_raw_parts(logs.items, logs.count as usize), _call: PhantomData }
    }

    /// The value named `name` (exact), or None. It may be NaN or infinite.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.iter().find(|(item, _)| *item == name).map(|(_, value)| value)
    }

    /// Every (name, value), in the host's order. Names that are not UTF-8 are skipped.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        let items: &'a [trainer_log_item_t] = self.items;
        items.iter().filter_map(|item| {
            if item.name.is_null() {
                return None;
            }
            // SAFETY: the host's names are NUL-terminated and live for the call.
            let name = unsafe { CStr::from_ptr(item.name) }.to_str().ok()?;
            Some((name, item.value))
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
