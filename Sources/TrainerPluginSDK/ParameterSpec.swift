import TrainerABI

/// A value of a plugin parameter: what a run's configuration gives, or a schema's default (the
/// host's own type, shared through TrainerABI).
public typealias ParameterValue = TrainerABI.ParameterValue

/// One parameter of a plugin's schema. Build it with the typed helpers:
///
/// ```swift
/// static let parameters: [ParameterSpec] = [
///     .string("monitor", default: "val_loss", help: "quantity to watch"),
///     .double("min_delta", default: 0, help: "smallest change that counts", min: 0),
///     .int("patience", default: 0, help: "epochs without improvement", min: 0),
///     .string("mode", default: "auto", help: "direction", choices: ["auto", "min", "max"]),
///     .double("baseline", default: nil, help: "value to beat (None: none)"),   // nullable
///     .bool("restore_best_weights", default: false, help: "restore the best epoch's weights"),
/// ]
/// ```
///
/// A `nil` default makes the parameter nullable (Keras's `None`); `nullable: true` makes a
/// parameter with a default nullable too. `.required(.string("filepath", help: ...))` is a
/// parameter the run must set (ABI 1.2): the host refuses a run without it, and a host older
/// than 1.2 passes none, which `init` should refuse. Bounds are inclusive. The host checks the schema when
/// it loads the plugin and a run's values against it before training starts, so `init` sees
/// only valid values.
public typealias ParameterSpec = TrainerABI.ParameterSpec

extension ParameterSpec {
    /// The type a parameter's values have.
    public typealias Kind = ParameterType

    /// The type a parameter's values have.
    public var kind: Kind { type }
    /// Inclusive lower bound (int and double only).
    public var min: Double? { minimum }
    /// Inclusive upper bound (int and double only).
    public var max: Double? { maximum }

    /// A parameter; a `.none` default makes it nullable. `choices`: allowed strings, nil for any.
    public init(name: String, kind: Kind, help: String, defaultValue: ParameterValue,
                nullable: Bool = false, min: Double? = nil, max: Double? = nil,
                choices: [String]? = nil, required: Bool = false) {
        self.init(name: name, type: kind, help: help, defaultValue: defaultValue,
                  nullable: nullable || defaultValue == .none, minimum: min, maximum: max,
                  choices: choices ?? [], required: required)
    }

    /// A floating-point parameter. An integer given in a run's configuration is accepted.
    public static func double(_ name: String, default defaultValue: Double?, help: String,
                              min: Double? = nil, max: Double? = nil,
                              nullable: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .double, help: help,
                      defaultValue: defaultValue.map { .double($0) } ?? .none,
                      nullable: nullable, min: min, max: max)
    }

    /// An integer parameter.
    public static func int(_ name: String, default defaultValue: Int?, help: String,
                           min: Int? = nil, max: Int? = nil,
                           nullable: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .int, help: help,
                      defaultValue: defaultValue.map { .int(Int64($0)) } ?? .none,
                      nullable: nullable, min: min.map(Double.init), max: max.map(Double.init))
    }

    /// A boolean parameter.
    public static func bool(_ name: String, default defaultValue: Bool?, help: String,
                            nullable: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .bool, help: help,
                      defaultValue: defaultValue.map { .bool($0) } ?? .none, nullable: nullable)
    }

    /// A string parameter, optionally restricted to `choices` (none of which may contain '|').
    public static func string(_ name: String, default defaultValue: String?, help: String,
                              choices: [String]? = nil,
                              nullable: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .string, help: help,
                      defaultValue: defaultValue.map { .string($0) } ?? .none,
                      nullable: nullable, choices: choices)
    }

    /// `spec` made one the run must set: no default (none for hosts older than ABI 1.2).
    public static func required(_ spec: ParameterSpec) -> ParameterSpec {
        ParameterSpec(name: spec.name, kind: spec.kind, help: spec.help, defaultValue: .none, nullable: true,
                      min: spec.min, max: spec.max, choices: spec.choices.isEmpty ? nil : spec.choices, required: true)
    }
}
