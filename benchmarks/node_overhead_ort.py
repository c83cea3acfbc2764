"""ONNX Runtime side of benchmarks/node_overhead_bench.cc: the same chain of 1,000 Adds on
float32[4], microseconds per node (median of 200 runs). Run with the oracle venv: .venv/bin/python."""
import time, numpy as np, onnx, onnxruntime as ort
from onnx import helper, TensorProto
n=1000
nodes=[]; prev="x"
for i in range(n):
    nodes.append(helper.make_node("Add",[prev,"x"],[f"t{i}"])); prev=f"t{i}"
g=helper.make_graph(nodes,"chain",[helper.make_tensor_value_info("x",TensorProto.FLOAT,[4])],[helper.make_tensor_value_info(prev,TensorProto.FLOAT,[4])])
m=helper.make_model(g,opset_imports=[helper.make_opsetid("",17)])
so=ort.SessionOptions(); so.intra_op_num_threads=2
s=ort.InferenceSession(m.SerializeToString(),so,providers=["CPUExecutionProvider"])
x=np.zeros(4,np.float32)
for _ in range(20): s.run(None,{"x":x})
ts=[]
for _ in range(200):
    t=time.perf_counter(); s.run(None,{"x":x}); ts.append((time.perf_counter()-t)/n*1e6)
ts.sort(); print(f"onnxruntime {ort.__version__}: median {ts[100]:.3f} us/node")
