import CTrainerPlugin

extension Host {
    /// Adds `name` to the logs of the hook being called, or replaces its value, through the
    /// host extension "trainer.logs/1" (Keras: `logs["val_f1"] = f1` in a callback). The
    /// plugins after this one in the run's list see it, and for `onEpochEnd` so do the run's
    /// history and `onTrainEnd`. Only from inside a hook. Throws when the host lacks the
    /// extension (a host older than ABI 1.2) or refuses the name.
    public func setLog(_ name: String, _ value: Double) throws {
        guard let set = extensionTable(TRAINER_EXT_LOGS, as: trainer_logs_ext_t.self)?.set else {
            throw HostError("the host cannot add to the logs (trainer.logs/1 needs ABI 1.2)")
        }
        guard set(self.table, name, value) == TRAINER_STATUS_OK else {
            throw HostError("the host refused the log \(name)")
        }
    }
}
