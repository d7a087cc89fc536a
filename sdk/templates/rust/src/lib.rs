//! @NAME@: a trainer callback plugin. The host creates one instance per run (`create`), then
//! calls the hooks listed in `HOOKS`, from one thread. Epochs and batches are 0-based.
use trainer_plugin::{export_plugin, Callback, Error, Hook, Host, Logs, Param, Params, PluginInfo};

struct @NAME@ {
    host: Host,
    message: String,
}

impl Callback for @NAME@ {
    /// The hooks the host calls. Batch hooks run for every batch: add those you need
    /// (Hook::OnTrainBatchEnd, ...) and implement them.
    const HOOKS: &'static [Hook] = &[
        Hook::OnTrainBegin,
        Hook::OnTrainEnd,
        Hook::OnEpochBegin,
        Hook::OnEpochEnd,
        Hook::OnTestBegin,
        Hook::OnTestEnd,
        Hook::OnPredictBegin,
        Hook::OnPredictEnd,
    ];

    /// The id, version, summary and parameters (`--set message=...`, or [plugins.@NAME@] in
    /// trainer.toml).
    fn info() -> PluginInfo {
        PluginInfo::new("@NAME@", "0.1.0", "@NAME@: a callback plugin")
            .param(Param::string("message", "hello", "printed when training begins"))
    }

    fn create(host: Host, params: &Params) -> Result<Self, Error> {
        let message = params.string("message").unwrap_or("hello").to_string();
        Ok(@NAME@ { host, message })
    }

    /// Before the first epoch; logs are empty.
    fn on_train_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        self.host.info(&self.message); // the host prefixes it with the plugin's id
        Ok(())
    }

    /// After the last epoch, with its logs.
    fn on_train_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }

    /// At the start of each epoch.
    fn on_epoch_begin(&mut self, _epoch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }

    /// After each epoch and its validation: loss, metrics, val_loss, val_<metric>, learning_rate.
    fn on_epoch_end(&mut self, epoch: i64, logs: &Logs) -> Result<(), Error> {
        if let Some(loss) = logs.get("loss") {
            self.host.info(&format!("epoch {epoch} loss {loss:.4}"));
        }
        Ok(())
    }

    /// Before validation and `trainer evaluate`.
    fn on_test_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }

    /// After validation and `trainer evaluate`: loss and metrics over the whole evaluation.
    fn on_test_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }

    /// Before and after `trainer predict`.
    fn on_predict_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }

    fn on_predict_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
}

export_plugin!(@NAME@);
