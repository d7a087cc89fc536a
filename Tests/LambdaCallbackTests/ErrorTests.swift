import CTrainerPlugin
import Foundation
import PluginTestSupport
import XCTest

/// Everything wrong with a signature, a library or a symbol is an error of `create`, before
/// training, naming the parameter (and for syntax, the column).
final class ErrorTests: XCTestCase {
    private var dir = ""
    private var plugin: LoadedPlugin!

    override func setUpWithError() throws {
        dir = try TemporaryDirectory.create()
        plugin = try LoadedPlugin(product: "LambdaCallback")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func testSyntaxErrorsNameTheParameterAndTheColumn() {
        let cases: [(String, String, String)] = [
            ("on_epoch_end", "libmine.so:report", "on_epoch_end: column 18: expected '(': the form is LIB:SYMBOL(TYPE NAME, ...) -> TYPE"),
            ("on_epoch_end", "report(i32 epoch)", "on_epoch_end: column 1: expected LIB:SYMBOL before '(', e.g. libmine.so:report(i32 epoch)"),
            ("on_epoch_end", ":report()", "on_epoch_end: column 1: expected a library path before ':'"),
            ("on_epoch_end", "libmine.so:()", "on_epoch_end: column 12: expected a symbol name between ':' and '('"),
            ("on_epoch_end", "libmine.so:rep-ort()", "on_epoch_end: column 15: a symbol name holds letters, digits and '_' and does not start with a digit"),
            ("on_epoch_end", "libmine.so:9lives()", "on_epoch_end: column 12: a symbol name holds letters, digits and '_' and does not start with a digit"),
            ("on_train_end", "libmine.so:report(f16 loss)", "on_train_end: column 19: unknown type 'f16' (expected i32, i64, f32 or f64)"),
            ("on_train_end", "libmine.so:report(void x)", "on_train_end: column 19: void is no argument type (expected i32, i64, f32 or f64); '()' takes no arguments"),
            ("on_train_end", "libmine.so:report(i32)", "on_train_end: column 22: expected a space, then the argument's name (epoch, batch or a log name)"),
            ("on_train_end", "libmine.so:report(i32 )", "on_train_end: column 23: expected the argument's name (epoch, batch or a log name such as val_loss)"),
            ("on_train_end", "libmine.so:report(i32 epoch", "on_train_end: column 28: unexpected end: expected ',' or ')'"),
            ("on_train_end", "libmine.so:report(i32 epoch loss)", "on_train_end: column 29: expected ',' or ')' after the argument"),
            ("on_train_end", "libmine.so:report(i32 epoch,)", "on_train_end: column 29: expected an argument type (i32, i64, f32 or f64)"),
            ("on_train_end", "libmine.so:report(", "on_train_end: column 19: unexpected end: expected an argument type (i32, i64, f32 or f64) or ')'"),
            ("on_train_end", "libmine.so:report() i32", "on_train_end: column 21: expected '-> TYPE' or the end after ')'"),
            ("on_train_end", "libmine.so:report() -> int", "on_train_end: column 24: unknown type 'int' (expected i32, i64, f32 or f64 or void)"),
            ("on_train_end", "libmine.so:report() ->", "on_train_end: column 23: expected a return type (i32, i64, f32 or f64 or void)"),
            ("on_train_end", "libmine.so:report() -> i32 x", "on_train_end: column 28: unexpected text after the return type"),
            ("on_epoch_end", "libmine.so:report(i64 batch)", "on_epoch_end: column 23: 'batch' is given only to batch hooks (on_*_batch_begin/end)"),
            ("on_batch_end", "libmine.so:report(i64 batch", "on_batch_end: column 28: unexpected end: expected ',' or ')'"),
            // Columns count characters, not bytes.
            ("on_train_end", "lïb.so:report(i9 x)", "on_train_end: column 15: unknown type 'i9' (expected i32, i64, f32 or f64)"),
        ]
        for (parameter, signature, expected) in cases {
            XCTAssertEqual(plugin.expectCreationError([parameter: .string(signature)]), expected, signature)
        }
    }

    func testAtMost32Arguments() throws {
        let library = try buildFixtureLibrary(into: dir)
        let args = (0..<33).map { "f64 a\($0)" }.joined(separator: ", ")
        let error = plugin.expectCreationError(["on_train_end": .string("\(library):note(\(args))")])
        XCTAssertTrue(error.hasPrefix("on_train_end: column "), error)
        XCTAssertTrue(error.hasSuffix(": too many arguments (at most 32)"), error)
        let fine = (0..<32).map { "f64 a\($0)" }.joined(separator: ", ")
        let host = FakeHost()
        let instance = try plugin.create(host: host, ["on_train_end": .string("\(library):note(\(fine))")]).get()
        plugin.destroy(instance)
    }

    func testAMissingLibraryIsAnError() throws {
        let host = FakeHost(runDirectory: dir)
        let cwd = FileManager.default.currentDirectoryPath
        XCTAssertEqual(plugin.expectCreationError(host: host, ["on_epoch_end": .string("/nowhere/libmine.so:report()")]),
                       "on_epoch_end: library /nowhere/libmine.so does not exist")
        XCTAssertEqual(plugin.expectCreationError(host: host, ["on_epoch_end": .string("sub/libmine.so:report()")]),
                       "on_epoch_end: library sub/libmine.so is not in \(cwd) or \(dir)")
        let bare = plugin.expectCreationError(host: host, ["on_epoch_end": .string("libnothing-here.so:report()")])
        XCTAssertTrue(bare.hasPrefix("on_epoch_end: library libnothing-here.so: the system's search failed ("), bare)
        XCTAssertTrue(bare.hasSuffix("a library in the working or run directory is named with a path, e.g. ./libnothing-here.so"), bare)
        XCTAssertEqual(plugin.expectCreationError(host: host, ["on_epoch_end": .string("sub/libmine.so:report()"),
                                                                "library_dir": .string(dir)]),
                       "on_epoch_end: library sub/libmine.so is not in \(dir)")
    }

    func testAFileThatIsNotALibraryIsAnError() throws {
        let path = dir + "/libtext.so"
        try "not a shared object".write(toFile: path, atomically: true, encoding: .utf8)
        let error = plugin.expectCreationError(["on_train_begin": .string("\(path):f()")])
        XCTAssertTrue(error.hasPrefix("on_train_begin: cannot load library \(path): "), error)
    }

    func testAMissingSymbolIsAnError() throws {
        let library = try buildFixtureLibrary(into: dir)
        XCTAssertEqual(plugin.expectCreationError(["on_train_batch_begin": .string("\(library):reprot(i32 epoch) -> i32")]),
                       "on_train_batch_begin: no symbol reprot in \(library)")
    }

    func testTheFirstBadSignatureWinsAndNothingIsLeftBehind() throws {
        let library = try buildFixtureLibrary(into: dir)
        let host = FakeHost()
        let error = plugin.expectCreationError(host: host, [
            "on_train_begin": .string("\(library):note()"),
            "on_epoch_end": .string("\(library):missing()"),
        ])
        XCTAssertEqual(error, "on_epoch_end: no symbol missing in \(library)")
    }
}
