import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The small XML documents S3 answers with (listings, multipart ids, errors), read by Foundation's XMLParser into
/// a tree of elements. Namespaces are ignored: S3's element names are unique within each answer.
package struct S3XML: Sendable {
    package let name: String
    package let text: String
    package let children: [S3XML]

    /// Parses `data`; nil when it is not well-formed XML.
    package static func parse(_ data: Data) -> S3XML? {
        let builder = Builder()
        let parser = XMLParser(data: data)
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// The first child named `name`.
    package func child(_ name: String) -> S3XML? { children.first { $0.name == name } }

    /// Every child named `name`.
    package func children(_ name: String) -> [S3XML] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    package subscript(_ name: String) -> String? { child(name)?.text }

    /// Escapes text for an element's content.
    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private final class Builder: NSObject, XMLParserDelegate {
        private var stack: [(name: String, text: String, children: [S3XML])] = []
        var root: S3XML?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append((name, "", []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard let top = stack.popLast() else { return }
            let element = S3XML(name: top.name, text: top.text.trimmingCharacters(in: .whitespacesAndNewlines), children: top.children)
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
