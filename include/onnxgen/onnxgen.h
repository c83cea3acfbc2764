#pragma once
// The whole public API: `#include <onnxgen/onnxgen.h>` and link onnxgen::onnxgen.
#include "onnxgen/engine.h"
#include "onnxgen/generation.h"
