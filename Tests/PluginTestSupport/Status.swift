import CTrainerPlugin

/// TRAINER_STATUS_OK as the C functions return it, to compare hook and create results with.
public let statusOK = trainer_status_t(TRAINER_STATUS_OK)

/// TRAINER_STATUS_ERROR as the C functions return it.
public let statusError = trainer_status_t(TRAINER_STATUS_ERROR)
