import XCTest
@testable import TrainerHost

final class ParameterValidationTests: XCTestCase {
    let patience = ParameterSpec(name: "patience", type: .int, defaultValue: .int(0), minimum: 0)
    let minDelta = ParameterSpec(name: "min_delta", type: .double, defaultValue: .double(0))
    let mode = ParameterSpec(name: "mode", type: .string, defaultValue: .string("auto"), choices: ["auto", "min", "max"])
    let baseline = ParameterSpec(name: "baseline", type: .double, defaultValue: .none, nullable: true)
    let restore = ParameterSpec(name: "restore_best_weights", type: .bool, defaultValue: .bool(false))

    func testValuesOfTheDeclaredTypePass() {
        XCTAssertEqual(try patience.validate(.int(3)).get(), .int(3))
        XCTAssertEqual(try mode.validate(.string("max")).get(), .string("max"))
        XCTAssertEqual(try restore.validate(.bool(true)).get(), .bool(true))
    }

    func testAnIntegerGivenForADoubleIsConverted() {
        XCTAssertEqual(try minDelta.validate(.int(1)).get(), .double(1))
    }

    func testAnIntegerGivenForTextIsItsDigits() {
        let frequency = ParameterSpec(name: "save_freq", type: .string, defaultValue: .string("epoch"))
        XCTAssertEqual(try frequency.validate(.int(100)).get(), .string("100"))
        XCTAssertThrowsError(try mode.validate(.int(1)).get(), "choices still apply")
    }

    func testWrongTypesBoundsAndChoicesAreRejectedWithTheKey() {
        XCTAssertThrowsError(try patience.validate(.string("three")).get()) { error in
            XCTAssertEqual("\(error)", "patience must be an int, not \"three\"")
        }
        XCTAssertThrowsError(try patience.validate(.int(-1)).get()) { error in
            XCTAssertEqual("\(error)", "patience must be >= 0, not -1")
        }
        XCTAssertThrowsError(try mode.validate(.string("up")).get()) { error in
            XCTAssertEqual("\(error)", "mode must be one of auto|min|max, not \"up\"")
        }
        XCTAssertThrowsError(try patience.validate(.none).get())
    }

    /// Int64.max is 2^63 once a Double, which no Int64 holds: the message shows the value given.
    func testTheIntegerExtremesAreRefusedWithoutATrap() {
        let verbose = ParameterSpec(name: "verbose", type: .int, defaultValue: .int(0), minimum: 0, maximum: 2)
        XCTAssertThrowsError(try verbose.validate(.int(Int64.max)).get()) { error in
            XCTAssertEqual("\(error)", "verbose must be in [0, 2], not 9223372036854775807")
        }
        XCTAssertThrowsError(try verbose.validate(.int(Int64.min)).get()) { error in
            XCTAssertEqual("\(error)", "verbose must be in [0, 2], not -9223372036854775808")
        }
    }

    func testNoneOnlyForNullableParameters() {
        XCTAssertEqual(try baseline.validate(.none).get(), ParameterValue.none)
        XCTAssertEqual(try baseline.parse(text: "None").get(), ParameterValue.none)
    }

    func testCommandLineTextIsReadAsTheDeclaredType() {
        XCTAssertEqual(try patience.parse(text: "5").get(), .int(5))
        XCTAssertEqual(try minDelta.parse(text: "1e-3").get(), .double(0.001))
        XCTAssertEqual(try restore.parse(text: "true").get(), .bool(true))
        XCTAssertEqual(try mode.parse(text: "\"min\"").get(), .string("min"))
        XCTAssertThrowsError(try patience.parse(text: "2.5").get())
        XCTAssertThrowsError(try restore.parse(text: "maybe").get())
    }
}
