/// The Swift compiler this code is built with, as "swift-<major>.<minor>". A Swift plugin
/// records it in its descriptor's `toolchain`; the host compares it, as an exact string, with
/// its own (Swift has no stable ABI on Linux). Host and SDK both build it from this one file.
public let swiftToolchain: String = {
    #if compiler(>=7.0)
    return "swift-7"
    #elseif compiler(>=6.6)
    return "swift-6.6"
    #elseif compiler(>=6.5)
    return "swift-6.5"
    #elseif compiler(>=6.4)
    return "swift-6.4"
    #elseif compiler(>=6.3)
    return "swift-6.3"
    #elseif compiler(>=6.2)
    return "swift-6.2"
    #elseif compiler(>=6.1)
    return "swift-6.1"
    #elseif compiler(>=6.0)
    return "swift-6.0"
    #else
    return "swift-5"
    #endif
}()
