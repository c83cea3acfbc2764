#pragma once
// The hook for graph rewrites (fusions, attention → PagedAttention): a pass edits the IR in
// place before the executor plans it.
#include <string>

#include "runtime/graph/graph.h"

namespace onnxgen {

class GraphPass {
 public:
  virtual ~GraphPass() = default;
  virtual std::string name() const = 0;
  // Returns whether anything changed.
  virtual bool run(Model& model) = 0;
};

}  // namespace onnxgen
