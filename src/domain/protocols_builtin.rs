//! Built-in protocols (being written).

use super::protocol::BuiltinProtocol;

/// The built-in protocols.
pub fn builtin_protocols() -> Vec<BuiltinProtocol> {
    Vec::new()
}
