//! A CRD's structural schema (`openAPIV3Schema`) and what the API server
//! does with it on every write, in its order: drop `null`s of fields that
//! are not `nullable`, find the fields the schema does not declare (refused
//! under strict field validation, pruned otherwise), then validate types,
//! enums, `required` and bounds into 422 causes.
//!
//! Only the keywords a structural schema may use and the double checks are
//! accepted; any other (`pattern`, `format`, `default`, `oneOf`,
//! `x-kubernetes-validations`, list types...) makes loading fail, so a
//! newer CRD that starts using one cannot be validated half-way unnoticed.
//! The operator's CRDs use `type`, `properties`, `additionalProperties`,
//! `items`, `enum`, `x-kubernetes-preserve-unknown-fields` and
//! `x-kubernetes-int-or-string` (with its `anyOf`); `required`, `nullable`
//! and the bounds are implemented for hand-written schemas and future CRDs.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::errors::{Cause, render};

/// A value type of the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// `object`
    Object,
    /// `array`
    Array,
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `number` (integers too)
    Number,
    /// `boolean`
    Boolean,
}

impl Ty {
    fn parse(name: &str) -> Option<Ty> {
        Some(match name {
            "object" => Ty::Object,
            "array" => Ty::Array,
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "number" => Ty::Number,
            "boolean" => Ty::Boolean,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Ty::Object => "object",
            Ty::Array => "array",
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
        }
    }

    fn accepts(self, found: &str) -> bool {
        found == self.name() || (self == Ty::Number && found == "integer")
    }
}

/// One node of a structural schema.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// `type`; `None` only with `x-kubernetes-preserve-unknown-fields` or
    /// `x-kubernetes-int-or-string`.
    pub ty: Option<Ty>,
    /// `properties`.
    pub properties: BTreeMap<String, Schema>,
    /// `additionalProperties` (a map's value schema).
    pub additional: Option<Box<Schema>>,
    /// `items`.
    pub items: Option<Box<Schema>>,
    /// `enum`.
    pub enumeration: Option<Vec<Json>>,
    /// `required`.
    pub required: Vec<String>,
    /// `nullable`: a `null` is kept (and valid) instead of dropped.
    pub nullable: bool,
    /// `x-kubernetes-preserve-unknown-fields`.
    pub preserve_unknown: bool,
    /// `x-kubernetes-int-or-string`.
    pub int_or_string: bool,
    /// `x-kubernetes-embedded-resource`: `apiVersion`, `kind` and `metadata`
    /// are implicitly declared, as at the root.
    pub embedded: bool,
    /// `minimum`, and whether `exclusiveMinimum` is set.
    pub minimum: Option<(f64, bool)>,
    /// `maximum`, and whether `exclusiveMaximum` is set.
    pub maximum: Option<(f64, bool)>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
}

/// Keywords that only document.
const DOCUMENTATION: &[&str] = &["description", "title", "example", "externalDocs"];

/// The fields every object of a kind has besides its schema's (the root,
/// and embedded resources).
const IMPLICIT: &[&str] = &["apiVersion", "kind", "metadata"];

impl Schema {
    /// Reads a schema node; `at` names it in errors.
    pub fn parse(json: &Json, at: &str) -> Result<Schema, String> {
        let node = json
            .as_object()
            .ok_or_else(|| format!("{at}: a schema must be an object"))?;
        let mut schema = Schema::default();
        for (key, value) in node {
            let here = format!("{at}.{key}");
            match key.as_str() {
                "type" => {
                    let name = value.as_str().unwrap_or_default();
                    schema.ty =
                        Some(Ty::parse(name).ok_or_else(|| format!("{here}: unknown type"))?);
                }
                "properties" => {
                    let properties = value
                        .as_object()
                        .ok_or_else(|| format!("{here}: not an object"))?;
                    for (name, property) in properties {
                        schema
                            .properties
                            .insert(name.clone(), Schema::parse(property, &here)?);
                    }
                }
                "additionalProperties" => match value {
                    Json::Bool(true) => schema.preserve_unknown = true,
                    Json::Bool(false) => {}
                    other => schema.additional = Some(Box::new(Schema::parse(other, &here)?)),
                },
                "items" => schema.items = Some(Box::new(Schema::parse(value, &here)?)),
                "enum" => {
                    schema.enumeration = Some(
                        value
                            .as_array()
                            .ok_or_else(|| format!("{here}: not an array"))?
                            .clone(),
                    )
                }
                "required" => {
                    schema.required = value
                        .as_array()
                        .ok_or_else(|| format!("{here}: not an array"))?
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                }
                "nullable" => schema.nullable = value.as_bool() == Some(true),
                "x-kubernetes-preserve-unknown-fields" => {
                    schema.preserve_unknown = value.as_bool() == Some(true)
                }
                "x-kubernetes-int-or-string" => {
                    schema.int_or_string = value.as_bool() == Some(true)
                }
                "x-kubernetes-embedded-resource" => schema.embedded = value.as_bool() == Some(true),
                "anyOf" => check_int_or_string_any_of(value, &here)?,
                "minimum" => schema.minimum = Some((number(value, &here)?, false)),
                "maximum" => schema.maximum = Some((number(value, &here)?, false)),
                "exclusiveMinimum" | "exclusiveMaximum" => {}
                "minLength" => schema.min_length = Some(count(value, &here)?),
                "maxLength" => schema.max_length = Some(count(value, &here)?),
                "minItems" => schema.min_items = Some(count(value, &here)?),
                "maxItems" => schema.max_items = Some(count(value, &here)?),
                doc if DOCUMENTATION.contains(&doc) => {}
                other => return Err(format!("{at}: unsupported schema keyword {other:?}")),
            }
        }
        if node.get("exclusiveMinimum").and_then(Json::as_bool) == Some(true)
            && let Some((min, _)) = schema.minimum
        {
            schema.minimum = Some((min, true));
        }
        if node.get("exclusiveMaximum").and_then(Json::as_bool) == Some(true)
            && let Some((max, _)) = schema.maximum
        {
            schema.maximum = Some((max, true));
        }
        if node.contains_key("anyOf") && !schema.int_or_string {
            return Err(format!(
                "{at}: anyOf is supported only with x-kubernetes-int-or-string"
            ));
        }
        Ok(schema)
    }

    /// The schema of child `key` of an object node, if declared.
    pub fn child(&self, key: &str) -> Option<&Schema> {
        self.properties.get(key).or(self.additional.as_deref())
    }

    /// Whether `key` is declared below an object of this schema, the
    /// implicit fields of a root or embedded resource included.
    fn declares(&self, key: &str, root: bool) -> bool {
        self.child(key).is_some() || ((root || self.embedded) && IMPLICIT.contains(&key))
    }

    /// Drops `null`s of non-nullable fields and every field the schema does
    /// not declare, recording the latter's paths (`spec.foo`,
    /// `spec.containers[0].bar`) in `unknown`. `root` marks the object of a
    /// kind, whose `apiVersion`, `kind` and `metadata` are declared
    /// implicitly (and checked elsewhere).
    pub fn prune(&self, value: &mut Json, path: &str, root: bool, unknown: &mut Vec<String>) {
        match value {
            Json::Object(map) => {
                // A value of the wrong type is the validator's to report, not pruning's.
                if matches!(self.ty, Some(t) if t != Ty::Object) || self.int_or_string {
                    return;
                }
                if self.preserve_unknown && self.properties.is_empty() && self.additional.is_none()
                {
                    return;
                }
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let here = join(path, &key);
                    if (root || self.embedded) && IMPLICIT.contains(&key.as_str()) {
                        continue;
                    }
                    let Some(child) = self.child(&key) else {
                        if !self.preserve_unknown {
                            unknown.push(here);
                            map.remove(&key);
                        }
                        continue;
                    };
                    if map.get(&key).is_some_and(Json::is_null) {
                        if !child.nullable {
                            map.remove(&key);
                        }
                        continue;
                    }
                    if let Some(v) = map.get_mut(&key) {
                        child.prune(v, &here, false, unknown);
                    }
                }
            }
            Json::Array(items) => {
                if matches!(self.ty, Some(t) if t != Ty::Array) {
                    return;
                }
                if let Some(item) = &self.items {
                    for (i, v) in items.iter_mut().enumerate() {
                        item.prune(v, &format!("{path}[{i}]"), false, unknown);
                    }
                }
            }
            _ => {}
        }
    }

    /// Checks `value` (already pruned) against the schema, adding one cause
    /// per violation, with the API server's wording
    /// (`apiextensions-apiserver` validation over kube-openapi's).
    pub fn validate(&self, value: &Json, path: &str, causes: &mut Vec<Cause>) {
        let found = type_name(value);
        if value.is_null() {
            if !self.nullable {
                causes.push(type_invalid(path, self.expected(), found));
            }
            return;
        }
        if self.int_or_string {
            if found != "integer" && found != "string" {
                causes.push(type_invalid(path, "integer,string".to_string(), found));
            }
            return;
        }
        if let Some(ty) = self.ty
            && !ty.accepts(found)
        {
            causes.push(type_invalid(path, ty.name().to_string(), found));
            return;
        }
        if let Some(allowed) = &self.enumeration
            && !allowed.contains(value)
        {
            let listed: Vec<String> = allowed.iter().map(render).collect();
            causes.push(Cause {
                reason: "FieldValueNotSupported",
                message: format!(
                    "Unsupported value: {}: supported values: {}",
                    render(value),
                    listed.join(", ")
                ),
                field: path.to_string(),
            });
        }
        match value {
            Json::Number(n) => {
                self.check_bounds(n.as_f64().unwrap_or_default(), value, path, causes)
            }
            Json::String(s) => self.check_length(s, value, path, causes),
            Json::Array(items) => {
                self.check_items(items.len(), value, path, causes);
                if let Some(item) = &self.items {
                    for (i, v) in items.iter().enumerate() {
                        item.validate(v, &format!("{path}[{i}]"), causes);
                    }
                }
            }
            Json::Object(map) => self.validate_object(map, path, causes),
            Json::Bool(_) | Json::Null => {}
        }
    }

    /// The `type` a null violates, for its message.
    fn expected(&self) -> String {
        self.ty
            .map(|t| t.name().to_string())
            .unwrap_or_else(|| "object".to_string())
    }

    fn validate_object(&self, map: &Map<String, Json>, path: &str, causes: &mut Vec<Cause>) {
        for name in &self.required {
            if !map.contains_key(name) {
                causes.push(Cause::required(&join(path, name), ""));
            }
        }
        for (key, v) in map {
            if let Some(child) = self.child(key) {
                child.validate(v, &join(path, key), causes);
            }
        }
    }

    fn check_bounds(&self, n: f64, value: &Json, path: &str, causes: &mut Vec<Cause>) {
        if let Some((min, exclusive)) = self.minimum
            && (n < min || (exclusive && n == min))
        {
            let relation = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            causes.push(Cause::invalid(
                path,
                value,
                &format!("{path} in body should be {relation} {}", plain(min)),
            ));
        }
        if let Some((max, exclusive)) = self.maximum
            && (n > max || (exclusive && n == max))
        {
            let relation = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            causes.push(Cause::invalid(
                path,
                value,
                &format!("{path} in body should be {relation} {}", plain(max)),
            ));
        }
    }

    fn check_length(&self, s: &str, value: &Json, path: &str, causes: &mut Vec<Cause>) {
        let chars = s.chars().count() as u64;
        if let Some(min) = self.min_length
            && chars < min
        {
            causes.push(Cause::invalid(
                path,
                value,
                &format!("{path} in body should be at least {min} chars long"),
            ));
        }
        if let Some(max) = self.max_length
            && chars > max
        {
            causes.push(Cause {
                reason: "FieldValueTooLong",
                message: format!("Too long: may not be more than {max} bytes"),
                field: path.to_string(),
            });
        }
    }

    fn check_items(&self, len: usize, value: &Json, path: &str, causes: &mut Vec<Cause>) {
        if let Some(min) = self.min_items
            && (len as u64) < min
        {
            causes.push(Cause::invalid(
                path,
                value,
                &format!("{path} in body should have at least {min} items"),
            ));
        }
        if let Some(max) = self.max_items
            && len as u64 > max
        {
            causes.push(Cause {
                reason: "FieldValueTooMany",
                message: format!("Too many: {len}: must have at most {max} items"),
                field: path.to_string(),
            });
        }
    }

    /// Every keyword-bearing node, depth first (for tests that inventory a CRD).
    pub fn walk<'a>(&'a self, path: &str, visit: &mut dyn FnMut(&str, &'a Schema)) {
        visit(path, self);
        for (name, child) in &self.properties {
            child.walk(&join(path, name), visit);
        }
        if let Some(additional) = &self.additional {
            additional.walk(&format!("{path}{{}}"), visit);
        }
        if let Some(items) = &self.items {
            items.walk(&format!("{path}[]"), visit);
        }
    }
}

/// The anyOf of `x-kubernetes-int-or-string`: `[{type: integer}, {type: string}]`.
fn check_int_or_string_any_of(value: &Json, at: &str) -> Result<(), String> {
    let branches = value
        .as_array()
        .ok_or_else(|| format!("{at}: not an array"))?;
    let types: Vec<&str> = branches
        .iter()
        .filter_map(|b| b.get("type").and_then(Json::as_str))
        .collect();
    if branches.len() == 2 && types == ["integer", "string"] {
        Ok(())
    } else {
        Err(format!("{at}: only the int-or-string anyOf is supported"))
    }
}

fn number(value: &Json, at: &str) -> Result<f64, String> {
    value.as_f64().ok_or_else(|| format!("{at}: not a number"))
}

fn count(value: &Json, at: &str) -> Result<u64, String> {
    value.as_u64().ok_or_else(|| format!("{at}: not a count"))
}

/// A bound as Go prints it (`1`, not `1.0`).
fn plain(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The JSON type of a value as the validator names it.
pub fn type_name(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// `spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"`.
fn type_invalid(path: &str, expected: String, found: &str) -> Cause {
    Cause {
        reason: "FieldValueTypeInvalid",
        message: format!(
            "Invalid value: \"{found}\": {path} in body must be of type {expected}: \"{found}\""
        ),
        field: path.to_string(),
    }
}

/// `a.b` from `a` and `b`; `b` at the root.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
