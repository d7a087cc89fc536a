use crate::abi::*;
use std::ffi::{CStr, CString};

/// A parameter value, typed as the schema declares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Keras's None (only for a nullable parameter).
    None,
    Bool(bool),
    Int(i64),
    Double(f64),
    String(String),
}

/// One parameter of the plugin's schema, for [`crate::PluginInfo::param`]: its name, type,
/// default, help line and bounds. The host checks a run's settings against it before training
/// (unknown names, wrong types, values out of bounds or choices are errors naming the key).
#[derive(Debug, Clone)]
pub struct Param {
    pub(crate) name: String,
    pub(crate) help: String,
    pub(crate) default: Value,
    pub(crate) kind: trainer_value_type_t,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) nullable: bool,
    pub(crate) choices: Option<String>,
    pub(crate) required: bool,
}

impl Param {
    fn new(name: &str, kind: trainer_value_type_t, default: Value, help: &str) -> Param {
        Param {
            name: name.to_string(),
            help: help.to_string(),
            default,
            kind,
            min: None,
            max: None,
            nullable: false,
            choices: None,
            required: false,
        }
    }

    pub fn bool(name: &str, default: bool, help: &str) -> Param {
        Param::new(name, TRAINER_VALUE_BOOL, Value::Bool(default), help)
    }

    pub fn int(name: &str, default: i64, help: &str) -> Param {
        Param::new(name, TRAINER_VALUE_INT, Value::Int(default), help)
    }

    /// A number; an integer given on the command line is accepted and converted.
    pub fn double(name: &str, default: f64, help: &str) -> Param {
        Param::new(name, TRAINER_VALUE_DOUBLE, Value::Double(default), help)
    }

    pub fn string(name: &str, default: &str, help: &str) -> Param {
        Param::new(name, TRAINER_VALUE_STRING, Value::String(default.to_string()), help)
    }

    /// A parameter of type `kind` (one of [`Value`]'s constructors as a sample, e.g.
    /// `Value::Double(0.0)`) whose default is None: nullable.
    pub fn none(name: &str, kind: Value, help: &str) -> Param {
        let kind = match kind {
            Value::Bool(_) => TRAINER_VALUE_BOOL,
            Value::Int(_) => TRAINER_VALUE_INT,
            Value::Double(_) | Value::None => TRAINER_VALUE_DOUBLE,
            Value::String(_) => TRAINER_VALUE_STRING,
        };
        let mut param = Param::new(name, kind, Value::None, help);
        param.nullable = true;
        param
    }

    /// Inclusive lower bound (int and double parameters).
    pub fn min(mut self, min: f64) -> Param {
        self.min = Some(min);
        self
    }

    /// Inclusive upper bound (int and double parameters).
    pub fn max(mut self, max: f64) -> Param {
        self.max = Some(max);
        self
    }

    /// The parameter may also be None.
    pub fn nullable(mut self) -> Param {
        self.nullable = true;
        self
    }

    /// The allowed values of a string parameter.
    pub fn choices(mut self, choices: &[&str]) -> Param {
        self.choices = Some(choices.join("|"));
        self
    }

    /// The run must set the parameter (ABI 1.2, e.g. ModelCheckpoint's filepath): the host
    /// refuses a run that does not. Its default becomes None and it becomes nullable, so that a
    /// host older than 1.2, which ignores the flag and passes the default, gives None, which
    /// `create` should refuse (see [`crate::Params::is_none`]).
    pub fn required(mut self) -> Param {
        self.required = true;
        self.nullable = true;
        self.default = Value::None;
        self
    }

    /// The C spec, with its strings kept alive in `strings` (leaked with the descriptor).
    pub(crate) fn to_spec(&self, strings: &mut Vec<CString>) -> trainer_param_spec_t {
        let mut keep = |text: &str| -> *const std::os::raw::c_char {
            let owned = CString::new(text.replace('\0', "")).unwrap_or_default();
            let pointer = owned.as_ptr();
            strings.push(owned);
            pointer
        };
        let mut default = trainer_value_t {
            r#type: TRAINER_VALUE_NONE,
            reserved: 0,
            int_value: 0,
            double_value: 0.0,
            string_value: std::ptr::null(),
        };
        match &self.default {
            Value::None => {}
            Value::Bool(value) => {
                default.r#type = TRAINER_VALUE_BOOL;
                default.int_value = *value as i64;
            }
            Value::Int(value) => {
                default.r#type = TRAINER_VALUE_INT;
                default.int_value = *value;
            }
            Value::Double(value) => {
                default.r#type = TRAINER_VALUE_DOUBLE;
                default.double_value = *value;
            }
            Value::String(value) => {
                default.r#type = TRAINER_VALUE_STRING;
                default.string_value = keep(value);
            }
        }
        let mut flags = 0;
        if self.min.is_some() {
            flags |= TRAINER_PARAM_HAS_MIN;
        }
        if self.max.is_some() {
            flags |= TRAINER_PARAM_HAS_MAX;
        }
        if self.nullable {
            flags |= TRAINER_PARAM_NULLABLE;
        }
        if self.required {
            flags |= TRAINER_PARAM_REQUIRED;
        }
        trainer_param_spec_t {
            struct_size: std::mem::size_of::<trainer_param_spec_t>() as u32,
            r#type: self.kind,
            name: keep(&self.name),
            help: keep(&self.help),
            default_value: default,
            flags,
            reserved: 0,
            min: self.min.unwrap_or(0.0),
            max: self.max.unwrap_or(0.0),
            choices: match &self.choices {
                Some(choices) => keep(choices),
                None => std::ptr::null(),
            },
        }
    }
}

/// The values a run gives the plugin's `create`: one per schema parameter, defaults filled in,
/// already validated by the host. Copied out of the host's borrowed struct, so it may be kept.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: Vec<(String, Value)>,
}

impl Params {
    /// # Safety
    /// `raw` is NULL or points at the host's parameter values, valid for the call.
    pub(crate) unsafe fn from_raw(raw: *const trainer_param_values_t) -> Params {
        let mut values = Vec::new();
        if raw.is_null() || (std::ptr::read_unaligned(raw as *const u32) as usize) < std::mem::size_of::<trainer_param_values_t>() {
            return Params { values };
        }
        let raw = &*raw;
        if raw.names.is_null() || raw.values.is_null() {
            return Params { values };
        }
        for index in 0..raw.count as usize {
            let name = *raw.names.add(index);
            if name.is_null() {
                continue;
            }
            let name = CStr::from_ptr(name).to_string_lossy().into_owned();
            let value = &*raw.values.add(index);
            let value = match value.r#type {
                TRAINER_VALUE_BOOL => Value::Bool(value.int_value != 0),
                TRAINER_VALUE_INT => Value::Int(value.int_value),
                TRAINER_VALUE_DOUBLE => Value::Double(value.double_value),
                TRAINER_VALUE_STRING if !value.string_value.is_null() => {
                    Value::String(CStr::from_ptr(value.string_value).to_string_lossy().into_owned())
                }
                _ => Value::None,
            };
            values.push((name, value));
        }
        Params { values }
    }

    /// The value of `name`, or None when the schema has no such parameter.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(key, _)| key == name).map(|(_, value)| value)
    }

    /// An int (or bool, as 0 or 1) parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(value) => Some(*value),
            Value::Bool(value) => Some(*value as i64),
            _ => None,
        }
    }

    /// A double (or int, converted) parameter.
    pub fn double(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            Value::Double(value) => Some(*value),
            Value::Int(value) => Some(*value as f64),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn string(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::String(value) => Some(value),
            _ => None,
        }
    }

    /// True when the parameter is present and None.
    pub fn is_none(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::None))
    }

    /// Every (name, value), in schema order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(name, value)| (name.as_str(), value))
    }
}
