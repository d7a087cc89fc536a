import CZlib

/// Gzip decompression through zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number (1f 8b).
    static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The decompressed contents of gzip data `input` read from `file` (named in errors).
    ///
    /// Streams into a buffer sized from the gzip trailer's length field and grown as needed.
    /// Several concatenated gzip members (as `cat a.gz b.gz` makes) decompress to their
    /// concatenation.
    ///
    /// With `declared`, the buffer starts small until the first bytes say how large the
    /// content is, then holds that much (bounded by what deflate can expand the input to)
    /// and never more: data going past the declared size is an error, found as soon as the
    /// stream goes one byte past it.
    static func decompress(_ input: UnsafeRawBufferPointer, file: String,
                           declared: DeclaredSize.Reader? = nil) throws -> OwnedBuffer {
        let ceiling = expansionCeiling(for: input)
        let output = OwnedBuffer(capacity: declared == nil ? initialCapacity(for: input) : min(4096, ceiling))
        var limit: DeclaredSize? = nil
        var stream = z_stream()
        // windowBits 15 + 32: the largest window, with automatic gzip/zlib header detection.
        let initStatus = inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw DataError(.unreadable, file: file, "cannot start gzip decompression (zlib status \(initStatus))")
        }
        defer { inflateEnd(&stream) }

        guard let inputBase = input.baseAddress else { return output }
        let inputStart = UnsafeMutablePointer(mutating: inputBase.assumingMemoryBound(to: UInt8.self))
        var consumed = 0  // input bytes handed to zlib so far
        let chunk = Int(UInt32.max)

        while true {
            if stream.avail_in == 0 && consumed < input.count {
                let size = min(chunk, input.count - consumed)
                stream.next_in = inputStart + consumed
                stream.avail_in = UInt32(size)
                consumed += size
            }
            if output.count == output.capacity {
                // One byte past the declared size is room enough to find the stream too long.
                let grown = output.capacity.multipliedReportingOverflow(by: 2)
                output.reserve(limit.map { $0.bytes + 1 } ?? (grown.overflow ? Int.max : grown.partialValue))
            }
            let room = min(chunk, output.capacity - output.count)
            stream.next_out = (output.base + output.count).assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(room)

            let status = inflate(&stream, Z_NO_FLUSH)
            output.count += room - Int(stream.avail_out)

            if limit == nil, let declared, let size = try declared(output.bytes) {
                limit = size
                output.reserve(min(size.bytes, ceiling) + 1)
            }
            if let limit, output.count > limit.bytes {
                throw DataError(.sizeMismatch, file: file,
                                "the gzip data decompresses to more than the \(limit.bytes) bytes \(limit.declaredBy); "
                                + "decompression stopped there")
            }

            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                let position = consumed - Int(stream.avail_in)
                let rest = UnsafeRawBufferPointer(rebasing: input[position...])
                if rest.isEmpty { return output }
                if isGzip(rest) {
                    // Another member follows.
                    inflateReset(&stream)
                    continue
                }
                if rest.allSatisfy({ $0 == 0 }) { return output }  // padding, as tar leaves
                throw DataError(.corruptGzip, file: file,
                                "\(rest.count) bytes of unexpected data after the gzip stream "
                                + "(at compressed byte \(position))")
            case Z_BUF_ERROR:
                // No progress: either the output is full (grow and retry) or the input ran out.
                if stream.avail_out == 0 { continue }
                if stream.avail_in == 0 && consumed == input.count {
                    throw DataError(.truncatedGzip, file: file,
                                    "gzip data is truncated: the stream ends unfinished after "
                                    + "\(input.count) compressed bytes (\(output.count) bytes decompressed)")
                }
                continue
            case Z_NEED_DICT, Z_DATA_ERROR:
                let reason = stream.msg.map { String(cString: $0) } ?? "invalid compressed data"
                let position = consumed - Int(stream.avail_in)
                throw DataError(.corruptGzip, file: file,
                                "corrupt gzip data (\(reason)) near compressed byte \(position)")
            case Z_MEM_ERROR:
                throw DataError(.unreadable, file: file, "out of memory while decompressing")
            default:
                throw DataError(.corruptGzip, file: file, "gzip decompression failed (zlib status \(status))")
            }
        }
    }

    /// A first guess at the decompressed size: the trailer's ISIZE (the length mod 2^32 of the
    /// last member), bounded by what deflate can possibly expand to, plus room to detect the end.
    private static func initialCapacity(for input: UnsafeRawBufferPointer) -> Int {
        guard input.count >= 18 else { return 4096 }
        let t = input.count - 4
        let isize = Int(input[t]) | Int(input[t + 1]) << 8 | Int(input[t + 2]) << 16 | Int(input[t + 3]) << 24
        return max(4096, min(isize, expansionCeiling(for: input)) + 1)
    }

    /// The most bytes deflate data of this size can decompress to (1032 to 1 at best), for
    /// every member together.
    private static func expansionCeiling(for input: UnsafeRawBufferPointer) -> Int {
        let ceiling = input.count.multipliedReportingOverflow(by: 1032)
        return max(4096, ceiling.overflow ? Int.max - 1 : ceiling.partialValue)
    }
}
