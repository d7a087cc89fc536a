import CTrainerPlugin
// The hooks, the struct-size copy and the error buffer, as the SDK reads them too.
@_exported import TrainerABI

