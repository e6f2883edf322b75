import Foundation

/// `reelwatch-fuzz`: feeds hostile bytes to the code that reads provider answers and names files.
///
/// Built with `swift build --sanitize=fuzzer -Xswiftc -DREELWATCH_FUZZ` it is a libFuzzer binary (libFuzzer's
/// `main` and flags; `--target=NAME` picks the code under test). Built normally it replays inputs, the way a
/// crash found by the fuzzer is reproduced in a debug build:
///
///     reelwatch-fuzz --target=status Fuzz/corpus/status crash-0123abcd
#if REELWATCH_FUZZ
    /// libFuzzer's entry point: runs one input through the target named by `--target=`.
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        FuzzTarget.selected.run(bytes)
        return 0
    }
#else
    @main
    enum ReelWatchFuzz {
        static func main() {
            let arguments = CommandLine.arguments.dropFirst()
            // libFuzzer's own flags (`-runs=1`) are accepted and ignored, so one command line works in both builds.
            let paths = arguments.filter { !$0.hasPrefix("-") }
            guard let target = FuzzTarget(arguments: Array(arguments)), !paths.isEmpty else {
                FileHandle.standardError.write(Data(FuzzTarget.usage.utf8))
                exit(2)
            }
            var count = 0
            for path in paths {
                for file in inputFiles(at: path) {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        FileHandle.standardError.write(Data("reelwatch-fuzz: cannot read \(file)\n".utf8))
                        exit(1)
                    }
                    print("Running: \(file)")
                    target.run(Array(data))
                    count += 1
                }
            }
            print("reelwatch-fuzz: \(count) inputs of target \(target.rawValue) ran without a crash")
        }

        /// `path` itself, or the regular files below it when it is a directory, sorted.
        static func inputFiles(at path: String) -> [String] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [path]
            }
            let names = (FileManager.default.subpaths(atPath: path) ?? []).sorted()
            return names.map { path + "/" + $0 }.filter { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        }
    }
#endif
