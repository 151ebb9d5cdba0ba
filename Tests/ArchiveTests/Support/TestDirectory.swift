import Foundation

/// A fresh directory on the real filesystem for one test, removed when the test is done.
final class TestDirectory {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "streams-archive-tests/\(safe)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        owned = true
    }

    private let owned: Bool

    private init(existing path: String) {
        self.path = path
        owned = false
    }

    /// A view of a directory the test does not own (not removed afterwards).
    static func existing(_ path: String) -> TestDirectory { TestDirectory(existing: path) }

    deinit {
        if owned { try? FileManager.default.removeItem(atPath: path) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Every regular file under `relative`, as paths, sorted.
    func files(under relative: String = "", matching predicate: (String) -> Bool = { _ in true }) -> [String] {
        let base = relative.isEmpty ? path : path + "/" + relative
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var result: [String] = []
        while let item = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = base + "/" + item
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                predicate((item as NSString).lastPathComponent)
            {
                result.append(full)
            }
        }
        return result.sorted()
    }
}
