import TrainerExpression
import XCTest

/// Expected strings are Python 3's, as `repr(x)`, `format(x, spec)` and `str.format` give them.
final class PythonFormatTests: XCTestCase {
    func testReprIsPythonsShortestRoundTrip() {
        let cases: [(Double, String)] = [
            (0.1, "0.1"), (1.0, "1.0"), (-2.0, "-2.0"), (0.0, "0.0"), (-0.0, "-0.0"),
            (100.0, "100.0"), (1e-4, "0.0001"), (1e-5, "1e-05"), (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"), (1e16, "1e+16"), (1.2345678901234567e16, "1.2345678901234568e+16"),
            (123456789.123, "123456789.123"), (0.10000000149011612, "0.10000000149011612"),
            (Double(Float(0.8235)), "0.8234999775886536"), (2.5e300, "2.5e+300"), (Double.leastNonzeroMagnitude, "5e-324"),
            (.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf"), (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.3 - 0.1, "0.19999999999999998"), (12.0, "12.0"), (0.00012, "0.00012"),
        ]
        for (x, expected) in cases { XCTAssertEqual(PythonFloat.repr(x), expected, "\(x)") }
    }

    private func format(_ value: FormatValue, _ spec: String) throws -> String {
        try PythonFormatSpec(spec).format(value)
    }

    func testFloatSpecs() throws {
        let cases: [(Double, String, String)] = [
            (0.61845, ".2f", "0.62"), (2.3727, ".4f", "2.3727"), (0.125, ".2f", "0.12"), (0.375, ".2f", "0.38"),
            (1.0, ".0f", "1"), (2.5, ".0f", "2"), (-0.001, ".2f", "-0.00"), (-0.001, "z.2f", "0.00"),
            (0.5, "e", "5.000000e-01"), (12345.678, ".3e", "1.235e+04"), (12345.678, "E", "1.234568E+04"),
            (0.5, "", "0.5"), (0.5, "8", "     0.5"), (0.5, "<8", "0.5     "), (0.5, "^9", "   0.5   "),
            (0.5, "*^8", "**0.5***"), (-0.5, "=8", "-    0.5"), (-0.5, "08.2f", "-0000.50"), (0.5, "+.1f", "+0.5"),
            (0.5, " .1f", " 0.5"), (1234567.891, ",.2f", "1,234,567.89"), (1234567.891, "_.1f", "1_234_567.9"),
            (0.25, ".1%", "25.0%"), (0.25, "%", "25.000000%"),
            (0.0001234, "g", "0.0001234"), (0.00001234, "g", "1.234e-05"), (123456.0, "g", "123456"),
            (1234567.0, "g", "1.23457e+06"), (100.0, ".2g", "1e+02"), (2.0, "g", "2"), (2.0, "#g", "2.00000"),
            (0.0, "g", "0"), (1.5, "G", "1.5"), (1e-10, "G", "1E-10"),
            (123.0, ".3", "1.23e+02"), (10.0, ".3", "10.0"), (1.5, ".3", "1.5"), (0.0, ".3", "0.0"),
            (1.0, ".1", "1e+00"), (1e20, ".3", "1e+20"),
            (.nan, ".2f", "nan"), (.infinity, ".2f", "inf"), (-.infinity, "e", "-inf"), (.nan, "F", "NAN"),
            (.infinity, "+", "+inf"), (1.0, "#.0f", "1."), (1234.5, "010,.1f", "0,001,234.5"),
        ]
        for (x, spec, expected) in cases { XCTAssertEqual(try format(.float(x), spec), expected, "format(\(x), '\(spec)')") }
    }

    func testIntSpecs() throws {
        let cases: [(Int, String, String)] = [
            (1, "02d", "01"), (12, "02d", "12"), (123, "02d", "123"), (7, "03d", "007"), (5, "", "5"),
            (5, "d", "5"), (-5, "03d", "-05"), (5, ">4", "   5"), (5, "<4", "5   "), (255, "x", "ff"),
            (255, "#X", "0XFF"), (5, "b", "101"), (8, "#o", "0o10"), (1234567, ",", "1,234,567"),
            (1234567, "_d", "1_234_567"), (65535, "_x", "ffff"), (65536, "_x", "1_0000"), (3, ".2f", "3.00"),
            (3, "e", "3.000000e+00"), (3, "%", "300.000000%"), (65, "c", "A"), (5, "+d", "+5"), (1234, "08,", "0,001,234"),
        ]
        for (n, spec, expected) in cases { XCTAssertEqual(try format(.int(n), spec), expected, "format(\(n), '\(spec)')") }
    }

    func testSpecsPythonRefuses() {
        func message(_ value: FormatValue, _ spec: String) -> String? {
            do { _ = try PythonFormatSpec(spec).format(value); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message(.float(1), "02d"), "Unknown format code 'd' for object of type 'float'")
        XCTAssertEqual(message(.float(1), "x"), "Unknown format code 'x' for object of type 'float'")
        XCTAssertEqual(message(.int(1), ".2d"), "Precision not allowed in integer format specifier")
        XCTAssertEqual(message(.int(1), "s"), "Unknown format code 's' for object of type 'int'")
        XCTAssertEqual(message(.float(1), "."), "Format specifier missing precision")
        XCTAssertEqual(message(.float(1), ".2ff"), "Invalid format specifier '.2ff'")
        XCTAssertEqual(message(.int(1), ",x"), "Cannot specify ',' with 'x'.")
        XCTAssertEqual(message(.int(1), ",_"), "Cannot specify both ',' and '_'.")
    }

    func testTemplates() throws {
        let logs: [String: FormatValue] = ["epoch": .int(3), "val_loss": .float(0.61845), "loss": .float(2.3727),
                                           "val_accuracy": .float(0.2789)]
        func fill(_ text: String) throws -> String { try FormatTemplate(text).format { logs[$0] } }
        XCTAssertEqual(try fill("model.{epoch:02d}-{val_loss:.2f}.safetensors"), "model.03-0.62.safetensors")
        XCTAssertEqual(try fill("w.{epoch:03d}-{loss:.4f}-{val_accuracy:.3f}.safetensors"), "w.003-2.3727-0.279.safetensors")
        XCTAssertEqual(try fill("ckpt-{epoch}.safetensors"), "ckpt-3.safetensors")
        XCTAssertEqual(try fill("{val_loss}"), "0.61845")
        XCTAssertEqual(try fill("{val_loss:e}"), "6.184500e-01")
        XCTAssertEqual(try fill("{{literal}}-{epoch}"), "{literal}-3")
        XCTAssertEqual(try fill("{epoch!r:>4}|{val_loss!s:.3}"), "   3|0.6")
        XCTAssertEqual(try fill("best.safetensors"), "best.safetensors")
        XCTAssertEqual(try FormatTemplate("a{epoch}b{loss}{epoch}").fieldNames, ["epoch", "loss"])
        XCTAssertThrowsError(try fill("{missing}.x")) { error in
            XCTAssertEqual(error as? FormatTemplate.MissingField, FormatTemplate.MissingField(name: "missing"))
        }
    }

    func testTemplatesPythonRefuses() {
        func message(_ text: String) -> String? {
            do { _ = try FormatTemplate(text); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message("a}b"), "Single '}' encountered in format string")
        XCTAssertEqual(message("a{b"), "expected '}' before end of string")
        XCTAssertEqual(message("a{"), "Single '{' encountered in format string")
        XCTAssertEqual(message("a{b:02d"), "unmatched '{' in format spec")
        XCTAssertEqual(message("{}.x"), "positional field '{}': name a log (e.g. {val_loss}) or {epoch}")
        XCTAssertEqual(message("{0}.x"), "positional field '{0}': name a log (e.g. {val_loss}) or {epoch}")
        XCTAssertEqual(message("{a.real}"), "attribute or index access '{a.real}' is not supported")
        XCTAssertEqual(message("{a!x}"), "Unknown conversion specifier x")
        XCTAssertEqual(message("{a:.}"), "Format specifier missing precision")
        XCTAssertNotNil(message("{loss:.{p}f}"))
        // Types are checked against what the fields will hold.
        let template = try! FormatTemplate("{epoch:.2f}-{loss:02d}")
        XCTAssertThrowsError(try template.check { $0 == "epoch" ? .int(1) : .float(0) }) { error in
            XCTAssertEqual("\(error)", "{loss}: Unknown format code 'd' for object of type 'float'")
        }
    }
}
