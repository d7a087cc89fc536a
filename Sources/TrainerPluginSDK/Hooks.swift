// Keras's Callback methods, one protocol each. A plugin adopts the protocol of every hook it
// implements; the SDK puts a function pointer in the C hook table for exactly those, and NULL
// for the rest, so the host never calls a hook the plugin does not have.
//
// Order during `trainer train` (as Keras's fit):
//
//     onTrainBegin
//     for each epoch:     onEpochBegin(epoch)
//       for each batch:   onTrainBatchBegin(batch), onTrainBatchEnd(batch, logs)
//       with validation:  onTestBegin, onTestBatchBegin/End for each batch, onTestEnd
//       onEpochEnd(epoch, logs)
//     onTrainEnd(logs)
//
// `trainer evaluate` calls the test hooks alone, `trainer predict` the predict hooks. Epochs and
// batches are 0-based; batch indices restart at 0 every epoch. `logs` is a borrowed view,
// valid during the call only (see `Logs`). A thrown error is logged through the host and fails
// the run.

/// Keras `on_train_begin(logs)`: before the first epoch. `logs` is empty.
public protocol OnTrainBegin: TrainerCallback {
    func onTrainBegin(logs: Logs) throws
}

/// Keras `on_train_end(logs)`: after the last epoch; `logs` are the last epoch's logs.
public protocol OnTrainEnd: TrainerCallback {
    func onTrainEnd(logs: Logs) throws
}

/// Keras `on_epoch_begin(epoch, logs)`. `logs` is empty.
public protocol OnEpochBegin: TrainerCallback {
    func onEpochBegin(epoch: Int, logs: Logs) throws
}

/// Keras `on_epoch_end(epoch, logs)`: the epoch's loss and metrics, then `val_loss` and
/// `val_<metric>` when the run has validation data, then `learning_rate`.
public protocol OnEpochEnd: TrainerCallback {
    func onEpochEnd(epoch: Int, logs: Logs) throws
}

/// Keras `on_train_batch_begin(batch, logs)`. Called for every batch: keep it cheap.
public protocol OnTrainBatchBegin: TrainerCallback {
    func onTrainBatchBegin(batch: Int, logs: Logs) throws
}

/// Keras `on_train_batch_end(batch, logs)`: running means of loss and metrics over the epoch
/// so far. Called for every batch: keep it cheap.
public protocol OnTrainBatchEnd: TrainerCallback {
    func onTrainBatchEnd(batch: Int, logs: Logs) throws
}

/// Keras `on_test_begin(logs)`: before an evaluation (validation during fit, or `evaluate`).
public protocol OnTestBegin: TrainerCallback {
    func onTestBegin(logs: Logs) throws
}

/// Keras `on_test_end(logs)`: loss and metrics over the whole evaluation (no `val_` prefix).
public protocol OnTestEnd: TrainerCallback {
    func onTestEnd(logs: Logs) throws
}

/// Keras `on_test_batch_begin(batch, logs)`.
public protocol OnTestBatchBegin: TrainerCallback {
    func onTestBatchBegin(batch: Int, logs: Logs) throws
}

/// Keras `on_test_batch_end(batch, logs)`: running means over the evaluation so far.
public protocol OnTestBatchEnd: TrainerCallback {
    func onTestBatchEnd(batch: Int, logs: Logs) throws
}

/// Keras `on_predict_begin(logs)`.
public protocol OnPredictBegin: TrainerCallback {
    func onPredictBegin(logs: Logs) throws
}

/// Keras `on_predict_end(logs)`.
public protocol OnPredictEnd: TrainerCallback {
    func onPredictEnd(logs: Logs) throws
}

/// Keras `on_predict_batch_begin(batch, logs)`.
public protocol OnPredictBatchBegin: TrainerCallback {
    func onPredictBatchBegin(batch: Int, logs: Logs) throws
}

/// Keras `on_predict_batch_end(batch, logs)`. `logs` is empty so far.
public protocol OnPredictBatchEnd: TrainerCallback {
    func onPredictBatchEnd(batch: Int, logs: Logs) throws
}
