#pragma once
// Counts heap allocations by replacing the global operator new/delete in the test binary that
// links this library: tests of "no allocation per step" read the count around the steps.
#include <cstdint>

namespace onnxgen::testing {

// Every operator new (plain, array, aligned) since the program started, on any thread.
int64_t heap_allocations();

}  // namespace onnxgen::testing
