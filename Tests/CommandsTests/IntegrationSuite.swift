import TestSupport
import Testing

/// Every test that starts real `nayerd` processes. Serialized: they share two busy
/// cores, and timing-sensitive checks (kill at a phase, stop within 10 s) should not
/// compete with one another.
@Suite(.serialized) struct Integration {}
