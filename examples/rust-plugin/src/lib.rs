//! StopAtLossRust: stops training once the epoch's loss is below `threshold`, saying so
//! through the host's log; `panic_in` names a hook that panics instead (the SDK turns the
//! panic into a failed hook with its message, never an unwinding into the host). It counts the
//! epochs it saw, and saves the count as its state (8 bytes, little-endian), so a resumed run
//! keeps counting.
use trainer_plugin::{export_plugin, Callback, Error, Hook, Host, Logs, Param, Params, PluginInfo};

struct StopAtLoss {
    host: Host,
    threshold: f64,
    label: String,
    panic_in: String,
    epochs_seen: u64,
}

impl Callback for StopAtLoss {
    const HOOKS: &'static [Hook] = &[Hook::OnTrainBegin, Hook::OnEpochEnd, Hook::OnTrainEnd];
    const SAVES_STATE: bool = true;

    fn info() -> PluginInfo {
        PluginInfo::new("StopAtLossRust", "0.1.0", "Stops training once the loss is below a threshold (Rust)")
            .param(Param::double("threshold", 0.3, "stop once the epoch's loss is below this").min(0.0))
            .param(Param::string("label", "rust", "a word printed with each message"))
            .param(
                Param::string("panic_in", "none", "a hook that panics: none, create, on_epoch_end")
                    .choices(&["none", "create", "on_epoch_end"]),
            )
    }

    fn create(host: Host, params: &Params) -> Result<Self, Error> {
        let panic_in = params.string("panic_in").unwrap_or("none").to_string();
        if panic_in == "create" {
            panic!("asked to panic in create");
        }
        Ok(StopAtLoss {
            host,
            threshold: params.double("threshold").unwrap_or(0.3),
            label: params.string("label").unwrap_or("rust").to_string(),
            panic_in,
            epochs_seen: 0,
        })
    }

    fn on_train_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        let epochs = self.host.run_params().map(|run| run.epochs).unwrap_or(-1);
        self.host.info(&format!("[{}] threshold={} epochs={epochs}", self.label, self.threshold));
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: i64, logs: &Logs) -> Result<(), Error> {
        if self.panic_in == "on_epoch_end" {
            panic!("asked to panic at epoch {epoch}");
        }
        let loss = logs.get("loss").ok_or("the logs have no loss")?;
        self.epochs_seen += 1;
        self.host.info(&format!("[{}] epoch {epoch} loss {loss:.4}", self.label));
        if loss < self.threshold {
            self.host.info(&format!("[{}] loss {loss:.4} below {}, stopping", self.label, self.threshold));
            self.host.report("stopped_epoch", epoch as f64);
            self.host.stop_training();
        }
        Ok(())
    }

    fn on_train_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        self.host.info(&format!("[{}] training ended after {} epochs seen", self.label, self.epochs_seen));
        Ok(())
    }

    fn save_state(&mut self) -> Result<Vec<u8>, Error> {
        Ok(self.epochs_seen.to_le_bytes().to_vec())
    }

    fn load_state(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() != 8 {
            return Err(Error::new(format!("a saved state is 8 bytes, not {}", bytes.len())));
        }
        let mut count = [0u8; 8];
        count.copy_from_slice(bytes);
        self.epochs_seen = u64::from_le_bytes(count);
        Ok(())
    }
}

export_plugin!(StopAtLoss);
