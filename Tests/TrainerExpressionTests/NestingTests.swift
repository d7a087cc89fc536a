import TrainerExpression
import XCTest

/// However deep the text nests, parsing ends with a tree of at most `Expression.maximumDepth`
/// levels or an error at the column where it got too deep: never a stack overflow.
final class NestingTests: XCTestCase {
    private func error(_ text: String) -> ExpressionError? {
        do {
            _ = try Expression(text, allowedVariables: nil)
            return nil
        } catch {
            return error as? ExpressionError
        }
    }

    func testParenthesesUpToTheLimitParseAndOneMoreIsRefusedAtItsColumn() throws {
        let limit = Expression.maximumDepth
        XCTAssertEqual(limit, 256)
        let deepest = String(repeating: "(", count: limit - 1) + "2" + String(repeating: ")", count: limit - 1)
        XCTAssertEqual(try Expression(deepest, allowedVariables: nil).evaluate(slots: []), 2)
        let tooDeep = String(repeating: "(", count: limit) + "2" + String(repeating: ")", count: limit)
        XCTAssertEqual(error(tooDeep), ExpressionError(column: limit + 1,
            "the expression nests deeper than 256 levels (parentheses, operators and function calls)"))
    }

    func testTenThousandOpeningParenthesesAreAnErrorNotACrash() {
        let text = String(repeating: "(", count: 10000) + "1" + String(repeating: ")", count: 10000)
        XCTAssertEqual(error(text)?.column, 257)
    }

    func testLongChainsOfOperatorsUnaryOperatorsAndCallsAreBounded() {
        let texts = [
            "1" + String(repeating: " + 1", count: 10000),
            "lr" + String(repeating: "*1", count: 10000),
            String(repeating: "-", count: 10000) + "1",
            String(repeating: "!", count: 10000) + "1",
            String(repeating: "exp(", count: 10000) + "1" + String(repeating: ")", count: 10000),
            String(repeating: "1 ? 1 : ", count: 10000) + "1",
            String(repeating: "1 && ", count: 10000) + "1",
        ]
        for text in texts {
            XCTAssertEqual(error(text)?.message.hasPrefix("the expression nests deeper than 256 levels"), true, String(text.prefix(20)))
        }
    }

    func testTheLongestChainAllowedEvaluates() throws {
        let chain = "1" + String(repeating: " + 1", count: 200)
        XCTAssertEqual(try Expression(chain, allowedVariables: nil).evaluate(slots: []), 201)
    }
}
