use crate::{Error, Host, Logs, Param, Params};

/// Keras's Callback methods, as the host calls them (see trainer_plugin.h, "Hooks"). Only the
/// hooks a plugin lists in [`Callback::HOOKS`] are exported: the host never calls the others,
/// so a plugin without batch hooks costs nothing per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    OnTrainBegin,
    OnTrainEnd,
    OnEpochBegin,
    OnEpochEnd,
    OnTrainBatchBegin,
    OnTrainBatchEnd,
    OnTestBegin,
    OnTestEnd,
    OnTestBatchBegin,
    OnTestBatchEnd,
    OnPredictBegin,
    OnPredictEnd,
    OnPredictBatchBegin,
    OnPredictBatchEnd,
}

/// What `trainer plugins list` and `info` show: the id, the plugin's version, a summary line
/// and the parameter schema.
#[derive(Debug, Clone)]
pub struct PluginInfo {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) summary: String,
    pub(crate) params: Vec<Param>,
}

impl PluginInfo {
    /// `id`: ASCII letters, digits, '_', '-', '.' (matched case-insensitively by the CLI).
    pub fn new(id: &str, version: &str, summary: &str) -> PluginInfo {
        PluginInfo {
            id: id.to_string(),
            name: id.to_string(),
            version: version.to_string(),
            summary: summary.to_string(),
            params: Vec::new(),
        }
    }

    /// A human-readable name (default: the id).
    pub fn name(mut self, name: &str) -> PluginInfo {
        self.name = name.to_string();
        self
    }

    /// Adds a parameter to the schema (`--set name=value`, `[plugins.<id>]` in trainer.toml).
    pub fn param(mut self, param: Param) -> PluginInfo {
        self.params.push(param);
        self
    }
}

/// A callback plugin. Every hook defaults to doing nothing; implement those you list in
/// `HOOKS`. Returning `Err` fails the run (the host logs the message with the plugin's id and
/// the hook, and exits with status 1); so does a panic, which is caught at the boundary.
/// Epochs and batches are 0-based; batch indices restart every epoch.
pub trait Callback: Sized + 'static {
    /// The hooks the host calls. The default is every hook but the batch hooks.
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

    /// Whether the plugin keeps state worth saving, so that a resumed run (BackupAndRestore)
    /// continues where it stopped: then the host calls `save_state` with each backup and
    /// `load_state` after `create` when a run resumes, before `on_train_begin` (which must then
    /// keep what was loaded).
    const SAVES_STATE: bool = false;

    /// The descriptor: id, version, summary and parameters. Called once per process.
    fn info() -> PluginInfo;

    /// A new instance for a run, with the run's validated parameters. Keep `host` to call it
    /// from hooks.
    fn create(host: Host, params: &Params) -> Result<Self, Error>;

    /// The instance's state as bytes (with `SAVES_STATE`).
    fn save_state(&mut self) -> Result<Vec<u8>, Error> {
        Ok(Vec::new())
    }

    /// Restores what `save_state` of the same plugin version wrote (with `SAVES_STATE`); bytes
    /// that are not such a state are an `Err`, never a panic.
    fn load_state(&mut self, _bytes: &[u8]) -> Result<(), Error> {
        Ok(())
    }

    /// Before the first epoch. Logs are empty.
    fn on_train_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After the last epoch, with the last epoch's logs.
    fn on_train_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// At the start of each epoch.
    fn on_epoch_begin(&mut self, _epoch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After each epoch (and its validation): loss, metrics, val_*, learning_rate.
    fn on_epoch_end(&mut self, _epoch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// Before each training batch.
    fn on_train_batch_begin(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After each training batch: the epoch's running means so far.
    fn on_train_batch_end(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// Before validation or `trainer evaluate`.
    fn on_test_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After validation or `trainer evaluate`: loss and metrics over the whole evaluation.
    fn on_test_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// Before each evaluation batch.
    fn on_test_batch_begin(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After each evaluation batch: running means so far.
    fn on_test_batch_end(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// Before `trainer predict`.
    fn on_predict_begin(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After `trainer predict`.
    fn on_predict_end(&mut self, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// Before each prediction batch.
    fn on_predict_batch_begin(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
    /// After each prediction batch.
    fn on_predict_batch_end(&mut self, _batch: i64, _logs: &Logs) -> Result<(), Error> {
        Ok(())
    }
}
