/// Inline SVG charts drawn as text: no script, no fonts or styles from the network, so the page renders the
/// same offline, in a mail client's preview and in a headless browser. Each chart has a viewBox and is at most
/// 100% of its box wide, so it shrinks with a phone's screen instead of running past it.
package enum SVGChart {
    struct Bar {
        let label: String
        let value: Int
        let color: String
    }

    /// Horizontal bars with the label on the left and the value on the right.
    static func bars(_ bars: [Bar], name: String, width: Int = 720) -> String {
        let rowHeight = 26, labelWidth = 260, valueWidth = 90
        let plot = width - labelWidth - valueWidth
        let top = max(bars.map(\.value).max() ?? 0, 1)
        var svg = open(name: name, width: width, height: max(bars.count, 1) * rowHeight + 8)
        for (index, bar) in bars.enumerated() {
            let y = index * rowHeight + 4
            let length = max(1, plot * bar.value / top)
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\">\(HTML.escape(shorten(bar.label, to: 38)))</text>"
            svg += "<rect class=\"bar\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(length)\" height=\"\(rowHeight - 8)\" fill=\"\(bar.color)\">"
            svg += "<title>\(HTML.escape(bar.label)): \(HTML.number(bar.value))</title></rect>"
            svg += "<text x=\"\(labelWidth + length + 6)\" y=\"\(y + 17)\">\(HTML.number(bar.value))</text>"
        }
        return svg + "</svg>"
    }

    /// One column per slot (an hour, a day), stacked by series, with a legend underneath. Columns are at least
    /// 3 units wide: a year of days makes the chart wider than `width` (it still shrinks to the page), with about
    /// eight labels.
    package static func stackedColumns(
        _ columns: [[Int]], series: [(label: String, color: String)], columnLabels: [String], name: String, width: Int = 720
    ) -> String {
        let plotTop = 10, plotHeight = 200, left = 56
        let columnWidth = max(3, (width - left - 10) / max(columns.count, 1))
        let width = max(width, left + 10 + columnWidth * columns.count)
        let gap = columnWidth >= 12 ? 4 : 1
        let labelEvery = max(1, (columns.count + 7) / 8)
        let top = max(columns.map { $0.reduce(0, +) }.max() ?? 0, 1)
        let legendRows = (series.count + 4) / 5
        var svg = open(name: name, width: width, height: plotTop + plotHeight + 30 + legendRows * 20)
        svg += "<text x=\"\(left - 6)\" y=\"\(plotTop + 10)\" text-anchor=\"end\">\(HTML.number(top))</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(plotTop + plotHeight)\" text-anchor=\"end\">0</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(plotTop + plotHeight)\" x2=\"\(width - 10)\" y2=\"\(plotTop + plotHeight)\" stroke=\"#999\"/>"
        for (index, column) in columns.enumerated() {
            let x = left + index * columnWidth
            var base = plotTop + plotHeight
            for (seriesIndex, value) in column.enumerated() where value > 0 {
                let height = max(1, plotHeight * value / top)
                base -= height
                svg += "<rect class=\"bar\" x=\"\(x + gap / 2)\" y=\"\(base)\" width=\"\(columnWidth - gap)\" height=\"\(height)\" fill=\"\(series[seriesIndex].color)\">"
                svg += "<title>\(columnLabels[index]) \(HTML.escape(series[seriesIndex].label)): \(HTML.number(value))</title></rect>"
            }
            if index % labelEvery == 0 {
                svg += "<text x=\"\(x + columnWidth / 2)\" y=\"\(plotTop + plotHeight + 16)\" text-anchor=\"middle\">\(columnLabels[index])</text>"
            }
        }
        for (index, item) in series.enumerated() {
            let x = left + (index % 5) * 130, y = plotTop + plotHeight + 28 + (index / 5) * 20
            svg += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"12\" fill=\"\(item.color)\"/>"
            svg += "<text x=\"\(x + 18)\" y=\"\(y + 11)\">\(HTML.escape(item.label))</text>"
        }
        return svg + "</svg>"
    }

    struct Line {
        let label: String
        let color: String
        let dashed: Bool
        /// One per column; nil where there is no value (a day without a report), drawn as a gap.
        let values: [Int?]
    }

    /// Lines over columns (days), each point titled with its value, and the columns in `marked` flagged with a
    /// red dashed rule (a day whose report is incomplete).
    static func trend(_ lines: [Line], columnLabels: [String], marked: Set<Int>, name: String, width: Int = 720) -> String {
        let plotTop = 14, plotHeight = 110, left = 64, right = 24
        let count = max(columnLabels.count, 1)
        let step = Double(width - left - right) / Double(max(count - 1, 1))
        let top = max(lines.flatMap { $0.values.compactMap { $0 } }.max() ?? 0, 1)
        func x(_ index: Int) -> Int { count == 1 ? (left + width - right) / 2 : left + Int((Double(index) * step).rounded()) }
        func y(_ value: Int) -> Int { plotTop + plotHeight - Int((Double(plotHeight) * Double(value) / Double(top)).rounded()) }
        var svg = open(name: name, width: width, height: plotTop + plotHeight + 48)
        svg += "<text x=\"\(left - 6)\" y=\"\(plotTop + 4)\" text-anchor=\"end\">\(HTML.number(top))</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(plotTop + plotHeight)\" text-anchor=\"end\">0</text>"
        svg += "<line x1=\"\(left)\" y1=\"\(plotTop + plotHeight)\" x2=\"\(width - right)\" y2=\"\(plotTop + plotHeight)\" stroke=\"#999\"/>"
        for index in marked.sorted() {
            svg += "<line class=\"incomplete-mark\" x1=\"\(x(index))\" y1=\"\(plotTop)\" x2=\"\(x(index))\" y2=\"\(plotTop + plotHeight)\" "
                + "stroke=\"#e15759\" stroke-dasharray=\"3 3\"><title>\(columnLabels[index]): incomplete (damaged input)</title></line>"
        }
        for line in lines {
            var segment: [String] = []
            func close() {
                if segment.count > 1 {
                    svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"6 4\"" : "") "
                        + "points=\"\(segment.joined(separator: " "))\"/>"
                }
                segment = []
            }
            for (index, value) in line.values.enumerated() {
                guard let value else {
                    close()
                    continue
                }
                segment.append("\(x(index)),\(y(value))")
                svg += "<circle class=\"point\" cx=\"\(x(index))\" cy=\"\(y(value))\" r=\"2.5\" fill=\"\(line.color)\">"
                    + "<title>\(columnLabels[index]) \(HTML.escape(line.label)): \(HTML.number(value))</title></circle>"
            }
            close()
        }
        let every = max(1, (count + 5) / 6)
        for index in stride(from: 0, to: columnLabels.count, by: every) {
            svg += "<text x=\"\(x(index))\" y=\"\(plotTop + plotHeight + 16)\" text-anchor=\"middle\">\(columnLabels[index])</text>"
        }
        for (index, line) in lines.enumerated() {
            let lineX = left + index * 170, lineY = plotTop + plotHeight + 36
            svg += "<line x1=\"\(lineX)\" y1=\"\(lineY)\" x2=\"\(lineX + 24)\" y2=\"\(lineY)\" stroke=\"\(line.color)\" stroke-width=\"2\""
                + "\(line.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
            svg += "<text x=\"\(lineX + 30)\" y=\"\(lineY + 4)\">\(HTML.escape(line.label))</text>"
        }
        return svg + "</svg>"
    }

    private static func open(name: String, width: Int, height: Int) -> String {
        "<svg class=\"chart\" data-chart=\"\(name)\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"\(name)\" "
            + "width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" style=\"max-width:100%;height:auto\" "
            + "font-size=\"12\" font-family=\"sans-serif\">"
    }

    private static func shorten(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
