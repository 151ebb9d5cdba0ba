import Foundation

/// `~/.aws/credentials` and `~/.aws/config` as the AWS CLI reads them: INI sections, `key = value`, `#` and `;`
/// comments. In `credentials` a profile's section is `[NAME]`; in `config` it is `[profile NAME]`, except
/// `[default]`. Indented lines (a nested `s3 =` block) belong to the key above them and are not read here.
package struct AWSSharedFiles: Sendable {
    package let credentials: [String: [String: String]]
    package let config: [String: [String: String]]

    /// Reads both files (a missing file is an empty one).
    package init(credentialsPath: String, configPath: String) throws(ObjectStoreError) {
        credentials = try Self.sections(at: credentialsPath)
        config = try Self.sections(at: configPath)
    }

    package init(credentials: [String: [String: String]], config: [String: [String: String]]) {
        self.credentials = credentials
        self.config = config
    }

    /// The settings of profile `name` in `credentials`.
    package func credentialsProfile(_ name: String) -> [String: String]? { credentials[name] }

    /// The settings of profile `name` in `config`.
    package func configProfile(_ name: String) -> [String: String]? {
        name == "default" ? (config["default"] ?? config["profile default"]) : config["profile \(name)"]
    }

    static func sections(at path: String) throws(ObjectStoreError) -> [String: [String: String]] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ObjectStoreError.configuration("cannot read \(path): check its permissions")
        }
        return parse(text)
    }

    package static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard let first = rawLine.first, first != " ", first != "\t" else { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[section, default: [:]][key] = value
        }
        return sections
    }
}
