//go:build race

package simulate

// raceDetector is true when the tests run under -race, which slows the engine several times:
// the long simulations then run shorter, with tolerances that widen to match.
const raceDetector = true
