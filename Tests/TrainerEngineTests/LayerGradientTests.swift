import XCTest
@testable import TrainerEngine

final class LayerGradientTests: XCTestCase {
    func testDenseLinear() throws {
        try checkLayerGradients(Dense(4), inputShape: [5], batch: 3)
    }

    func testDenseEveryActivation() throws {
        for activation in ActivationFunction.allCases {
            try checkLayerGradients(Dense(4, activation: activation), inputShape: [3], batch: 2, seed: 5)
        }
    }

    func testDenseWideEnoughForVectorKernels() throws {
        try checkLayerGradients(Dense(20, activation: .relu), inputShape: [3], batch: 2, seed: 7)
        try checkLayerGradients(Dense(33, activation: .sigmoid), inputShape: [2], batch: 2, seed: 8)
    }

    func testDenseOnRank3Input() throws {
        try checkLayerGradients(Dense(3, activation: .tanh), inputShape: [2, 4], batch: 2)
    }

    func testDenseWithoutBias() throws {
        try checkLayerGradients(Dense(3, useBias: false), inputShape: [4], batch: 2)
    }

    func testFlatten() throws {
        try checkLayerGradients(Flatten(), inputShape: [2, 3, 2], batch: 2)
    }

    func testActivationLayers() throws {
        for activation in ActivationFunction.allCases {
            try checkLayerGradients(Activation(activation), inputShape: [2, 5], batch: 3, seed: 9)
        }
    }
}
