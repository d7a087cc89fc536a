import Foundation
import PluginTestSupport
import XCTest

/// Weights saved by a run are read by the `safetensors` Python package, and a forward pass in
/// NumPy with them gives the predictions `trainer predict` writes: names, shapes (Keras's
/// [in, out] kernels) and values mean what they say.
final class SafetensorsInteropTests: EndToEndTestCase {
    func testPythonReadsTheWeightsAndReproducesThePredictions() throws {
        try requireFashionMNIST()
        let probe = try ChildProcess.run(["python3", "-c", "import safetensors, numpy"], errors: .discarded)
        try XCTSkipUnless(probe.status == 0, "python3 with safetensors and numpy is not installed (scripts/install-deps --test)")

        let config = try write("""
            epochs = 1
            [data]
            limit = 512
            [plugins]
            enabled = []
            """, to: "small.toml")
        let train = try trainer("train", config.path, "--run-dir", "run", "--verbose", "0")
        XCTAssertEqual(train.status, 0, train.output)
        let images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
        let predict = try trainer("predict", config.path, "--weights", "run/weights.safetensors",
                                  "--input", images, "--output", "p.npy", "--run-dir", "run", "--verbose", "0")
        XCTAssertEqual(predict.status, 0, predict.output)

        let script = try write("""
            import gzip, sys
            import numpy as np
            from safetensors.numpy import load_file
            w = load_file("run/weights.safetensors")
            assert sorted(w) == ["dense/bias", "dense/kernel", "dense_1/bias", "dense_1/kernel"], sorted(w)
            assert w["dense/kernel"].shape == (784, 128) and w["dense/kernel"].dtype == np.float32
            with gzip.open(sys.argv[1]) as f:
                x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)[:200].astype(np.float32) / 255
            h = np.maximum(x @ w["dense/kernel"] + w["dense/bias"], 0)
            z = h @ w["dense_1/kernel"] + w["dense_1/bias"]
            p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
            ours = np.load("p.npy")[:200]
            print(float(np.abs(p - ours).max()))
            """, to: "check.py")
        let check = try ChildProcess.run(["python3", script.path, images], in: directory.path)
        let text = check.output
        XCTAssertEqual(check.status, 0, text + check.errors)
        let difference = try XCTUnwrap(Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), text)
        XCTAssertLessThan(difference, 1e-5)
    }
}
