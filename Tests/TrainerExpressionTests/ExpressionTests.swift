import TrainerExpression
import XCTest

final class ExpressionTests: XCTestCase {
    private let scheduleNames: Set<String> = ["epoch", "lr", "initial_lr"]

    private func value(_ text: String, _ bindings: [String: Double] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        try Expression(text, allowedVariables: nil).evaluate(bindings)
    }

    private func error(_ text: String, allowed: Set<String>? = nil) -> ExpressionError? {
        do {
            _ = try Expression(text, allowedVariables: allowed)
            return nil
        } catch let error as ExpressionError {
            return error
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testArithmeticAndPrecedence() throws {
        XCTAssertEqual(try value("1 + 2 * 3"), 7)
        XCTAssertEqual(try value("(1 + 2) * 3"), 9)
        XCTAssertEqual(try value("10 - 4 - 3"), 3)       // left to right
        XCTAssertEqual(try value("24 / 4 / 2"), 3)
        XCTAssertEqual(try value("-2 * -3"), 6)
        XCTAssertEqual(try value("--2"), 2)
        XCTAssertEqual(try value("+2"), 2)
        XCTAssertEqual(try value("2 * -(1 + 1)"), -4)
        XCTAssertEqual(try value("1 / 0"), .infinity)
    }

    func testNumbers() throws {
        XCTAssertEqual(try value("0.5"), 0.5)
        XCTAssertEqual(try value(".25"), 0.25)
        XCTAssertEqual(try value("5."), 5)
        XCTAssertEqual(try value("1e-4"), 1e-4)
        XCTAssertEqual(try value("2.5E+3"), 2500)
        XCTAssertEqual(try value("3e2"), 300)
    }

    func testComparisonsAndLogicGiveOneOrZero() throws {
        XCTAssertEqual(try value("1 < 2"), 1)
        XCTAssertEqual(try value("2 <= 2"), 1)
        XCTAssertEqual(try value("1 > 2"), 0)
        XCTAssertEqual(try value("2 >= 3"), 0)
        XCTAssertEqual(try value("2 == 2"), 1)
        XCTAssertEqual(try value("2 != 2"), 0)
        XCTAssertEqual(try value("1 && 0"), 0)
        XCTAssertEqual(try value("1 && 5"), 1)
        XCTAssertEqual(try value("0 || 0"), 0)
        XCTAssertEqual(try value("0 || -3"), 1)
        XCTAssertEqual(try value("!0"), 1)
        XCTAssertEqual(try value("!7"), 0)
        XCTAssertEqual(try value("!!7"), 1)
        // && binds tighter than ||; comparisons tighter than both; arithmetic tighter still.
        XCTAssertEqual(try value("1 || 0 && 0"), 1)
        XCTAssertEqual(try value("1 + 1 == 2 && 3 > 2"), 1)
        XCTAssertEqual(try value("(1 < 2) + (3 < 4)"), 2)
        XCTAssertEqual(try value("1 < 2 == 1"), 1)
        XCTAssertEqual(try value("nan_value == nan_value", ["nan_value": .nan]), 0)
    }

    func testConditional() throws {
        XCTAssertEqual(try value("1 ? 2 : 3"), 2)
        XCTAssertEqual(try value("0 ? 2 : 3"), 3)
        // Right-associative: a ? b : (c ? d : e).
        XCTAssertEqual(try value("0 ? 1 : 0 ? 2 : 3"), 3)
        XCTAssertEqual(try value("0 ? 1 : 1 ? 2 : 3"), 2)
        XCTAssertEqual(try value("1 ? 0 ? 4 : 5 : 6"), 5)
        XCTAssertEqual(try value("epoch < 2 ? lr : lr * 0.99", ["epoch": 1, "lr": 0.1]), 0.1)
        XCTAssertEqual(try value("epoch < 2 ? lr : lr * 0.99", ["epoch": 2, "lr": 0.1]), 0.1 * 0.99)
        // Only the branch taken is evaluated (1/0 would be inf, not an error, but NaN shows).
        XCTAssertEqual(try value("1 ? 2 : log(-1)"), 2)
    }

    func testFunctionsAndConstants() throws {
        XCTAssertEqual(try value("pi"), Double.pi)
        XCTAssertEqual(try value("e"), M_E)
        XCTAssertEqual(try value("exp(0)"), 1)
        XCTAssertEqual(try value("log(e)"), 1)
        XCTAssertEqual(try value("sqrt(16)"), 4)
        XCTAssertEqual(try value("pow(2, 10)"), 1024)
        XCTAssertEqual(try value("floor(2.7)"), 2)
        XCTAssertEqual(try value("floor(-2.5)"), -3)
        XCTAssertEqual(try value("ceil(2.1)"), 3)
        XCTAssertEqual(try value("abs(-3)"), 3)
        XCTAssertEqual(try value("min(3, 1, 2)"), 1)
        XCTAssertEqual(try value("max(3, 1)"), 3)
        XCTAssertEqual(try value("cos(0)"), 1)
        XCTAssertEqual(try value("sin(0)"), 0)
        XCTAssertEqual(try value("cos(pi)"), -1)
        XCTAssertTrue(try value("log(-1)").isNaN)
        XCTAssertTrue(try value("max(1, 0/0)").isNaN)
        XCTAssertEqual(try value("0.1 * (1 + cos(pi * 3 / 20)) / 2"), 0.1 * (1 + cos(Double.pi * 3 / 20)) / 2)
    }

    func testKerasParitySchedulesEvaluateAsPython() throws {
        let names = scheduleNames
        let cases: [(String, [String: Double], Double)] = [
            ("initial_lr * pow(0.5, floor(epoch / 3))", ["epoch": 7, "lr": 0, "initial_lr": 0.01], 0.01 * pow(0.5, 2)),
            ("max(1e-4, lr * 0.9)", ["epoch": 0, "lr": 1e-4, "initial_lr": 0.1], 1e-4),
            ("epoch < 10 ? lr : lr * exp(-0.1)", ["epoch": 10, "lr": 0.01, "initial_lr": 0.01], 0.01 * exp(-0.1)),
            ("epoch == 0 ? initial_lr / 10 : (epoch < 5 ? initial_lr : lr * 0.95)", ["epoch": 0, "lr": 1, "initial_lr": 0.1], 0.1 / 10),
        ]
        for (text, bindings, expected) in cases {
            let expression = try Expression(text, allowedVariables: names)
            XCTAssertEqual(try expression.evaluate(bindings), expected, text)
        }
    }

    func testVariablesInOrderOfFirstUseAndSlots() throws {
        let expression = try Expression("lr * 2 + epoch - lr", allowedVariables: scheduleNames)
        XCTAssertEqual(expression.variables, ["lr", "epoch"])
        XCTAssertEqual(expression.evaluate(slots: [3, 10]), 13)
        XCTAssertEqual(try Expression("pi * 2", allowedVariables: []).variables, [])
        XCTAssertEqual(expression.description, "lr * 2 + epoch - lr")
    }

    func testUnboundVariablesAreNamed() throws {
        let condition = try Expression("accuracy > 0.9 && val_loss < 0.3 && accuracy < 1", allowedVariables: nil)
        XCTAssertEqual(condition.variables, ["accuracy", "val_loss"])
        XCTAssertThrowsError(try condition.evaluate(["accuracy": 0.95])) { error in
            XCTAssertEqual(error as? UnboundVariables, UnboundVariables(names: ["val_loss"]))
            XCTAssertEqual("\(error)", "no value for 'val_loss'")
        }
        XCTAssertEqual(try condition.evaluate(["accuracy": 0.95, "val_loss": 0.2]), 1)
    }

    func testErrorsGiveTheColumnAndWhatWasExpected() {
        XCTAssertEqual(error("max(lr, 0.5"), ExpressionError(column: 12, "expected ',' or ')' in the arguments of max, found end of expression"))
        XCTAssertEqual(error("(lr * 2"), ExpressionError(column: 8, "expected ')', found end of expression"))
        XCTAssertEqual(error("(lr * 2")?.description, "column 8: expected ')', found end of expression")
        XCTAssertEqual(error("lr * * 2")?.column, 6)
        XCTAssertEqual(error("lr * * 2")?.message, "expected a number, a name or '(', found '*'")
        XCTAssertEqual(error("lr 2")?.description, "column 4: expected an operator or the end of the expression, found a number")
        XCTAssertEqual(error("lr)")?.column, 3)
        XCTAssertEqual(error("")?.description, "column 1: expected an expression, found nothing")
        XCTAssertEqual(error("   ")?.column, 4)
        XCTAssertEqual(error("lr ? 1")?.description, "column 7: expected ':' of the conditional, found end of expression")
        XCTAssertEqual(error("lr = 1")?.description, "column 4: unexpected '=' (use '==' to compare)")
        XCTAssertEqual(error("lr & 1")?.description, "column 4: unexpected '&' (use '&&')")
        XCTAssertEqual(error("lr # 1")?.description, "column 4: unexpected character '#'")
        XCTAssertEqual(error("1e+")?.description, "column 4: expected the digits of an exponent, found end of expression")
        XCTAssertEqual(error("2x")?.description, "column 2: unexpected 'x' after a number")
        XCTAssertEqual(error("0 < lr < 1")?.description, "column 8: comparisons do not chain: use '&&' or parentheses")
        XCTAssertEqual(error("1 == 1 == 1")?.column, 8)
        XCTAssertEqual(error("tan(1)")?.description,
                       "column 1: unknown function 'tan' (functions: exp, log, sqrt, pow, floor, ceil, abs, min, max, cos, sin)")
        XCTAssertEqual(error("lr * pow(2)")?.description, "column 6: pow takes 2 arguments, got 1")
        XCTAssertEqual(error("max(1)")?.description, "column 1: max takes 2 or more arguments, got 1")
        XCTAssertEqual(error("exp()")?.description, "column 1: exp takes 1 argument, got 0")
        XCTAssertEqual(error("exp + 1")?.description, "column 5: expected '(' after the function exp, found '+'")
        XCTAssertEqual(error("max(1,)")?.column, 7)
    }

    func testUnknownNamesAreErrorsAtParseTimeGivenTheAllowedSet() {
        XCTAssertEqual(error("lr * decay", allowed: scheduleNames)?.description,
                       "column 6: unknown name 'decay' (known: epoch, initial_lr, lr, pi, e)")
        XCTAssertEqual(error("initial_lr * 0.5 + lrr", allowed: scheduleNames)?.column, 20)
        XCTAssertNil(error("initial_lr * 0.5 + lr + epoch + pi + e", allowed: scheduleNames))
        XCTAssertNil(error("val_accuracy > 0.9", allowed: nil))
    }

    func testColumnsCountCharactersNotBytes() {
        XCTAssertEqual(error("\"é\" + é")?.column, 1)
        XCTAssertEqual(error("1 + é")?.column, 5)
    }
}
