//! Write callback plugins for `trainer` in Rust.
//!
//! A plugin is a `cdylib` crate with one type implementing [`Callback`] and one
//! [`export_plugin!`] line:
//!
//! ```ignore
//! use trainer_plugin::{export_plugin, Callback, Error, Hook, Host, Logs, Param, Params, PluginInfo};
//!
//! struct StopAtLoss { host: Host, threshold: f64 }
//!
//! impl Callback for StopAtLoss {
//!     fn info() -> PluginInfo {
//!         PluginInfo::new("StopAtLoss", "0.1.0", "Stops training once the loss is below a threshold")
//!             .param(Param::double("threshold", 0.3, "stop below this loss").min(0.0))
//!     }
//!     const HOOKS: &'static [Hook] = &[Hook::OnEpochEnd];
//!     fn create(host: Host, params: &Params) -> Result<Self, Error> {
//!         Ok(StopAtLoss { host, threshold: params.double("threshold").unwrap_or(0.3) })
//!     }
//!     fn on_epoch_end(&mut self, epoch: i64, logs: &Logs) -> Result<(), Error> {
//!         if let Some(loss) = logs.get("loss") {
//!             if loss < self.threshold {
//!                 self.host.info(&format!("loss below {} at epoch {epoch}", self.threshold));
//!                 self.host.stop_training();
//!             }
//!         }
//!         Ok(())
//!     }
//! }
//!
//! export_plugin!(StopAtLoss);
//! ```
//!
//! What crosses the boundary follows `trainer_plugin.h` (the mirror is [`abi`]): the host calls
//! one instance from one thread; a hook's [`Logs`] and `create`'s [`Params`] are borrowed for
//! the call; with `SAVES_STATE`, `save_state`/`load_state` make a resumed run continue where
//! it stopped; an `Err` or a panic in any hook becomes `TRAINER_STATUS_ERROR` with its message
//! logged through the host (a panic never unwinds into the host).

pub mod abi;
mod callback;
mod error;
#[doc(hidden)]
pub mod export;
mod host;
mod logs;
mod params;

pub use callback::{Callback, Hook, PluginInfo};
pub use error::Error;
pub use host::{Host, LogLevel, Prediction, RunParams};
pub use logs::Logs;
pub use params::{Param, Params, Value};

/// Exports `trainer_plugin_entry` for the [`Callback`] type `$callback`: the descriptor, the
/// parameter schema and the hooks of `Callback::HOOKS`, built once per process.
#[macro_export]
macro_rules! export_plugin {
    ($callback:ty) => {
        #[no_mangle]
        pub extern "C" fn trainer_plugin_entry() -> *const $crate::abi::trainer_plugin_descriptor_t {
            static DESCRIPTOR: ::std::sync::atomic::AtomicPtr<$crate::abi::trainer_plugin_descriptor_t> =
                ::std::sync::atomic::AtomicPtr::new(::std::ptr::null_mut());
            $crate::export::entry::<$callback>(&DESCRIPTOR)
        }
    };
}
