/// The system's C compiler, as a plugin author without Swift or SwiftPM uses it: plain `cc`
/// with `-std=c11 -Wall -Werror`, so a warning in a fixture or a C plugin fails the test.
public enum CCompiler {
    /// Runs `cc -std=c11 -Wall -Werror ARGUMENTS`; throws with the compiler's messages when it
    /// fails.
    public static func compile(_ arguments: [String]) throws {
        try ChildProcess.runSuccessfully(["cc", "-std=c11", "-Wall", "-Werror"] + arguments)
    }

    /// Builds one C plugin source against the ABI header into `directory`/lib`name`.so, with
    /// `defines` as `-D` options; returns the library's path. The library gets mode 0755,
    /// whatever the umask (see `FileModes`).
    public static func buildPlugin(_ source: String, into directory: String, name: String,
                                   defines: [String] = []) throws -> String {
        FileModes.useOwnerWritableUmask()
        let output = directory + "/lib\(name).so"
        try compile(["-shared", "-fPIC", "-I", Repository.abiHeaderDirectory] + defines.map { "-D" + $0 }
                    + [source, "-o", output])
        try FileModes.set(output)
        return output
    }
}
