import Foundation
import Reports
import Testing

@Suite("report charts")
struct SVGChartTests {
    @Test("a column chart of a year of days draws every column at least one unit wide, widening past 720 and labelling about eight", arguments: [24, 131, 366])
    func everyColumnIsDrawn(columns: Int) throws {
        let svg = SVGChart.stackedColumns(
            (0..<columns).map { [$0 + 1, 2] }, series: [("email", "#4e79a7"), ("sms", "#f28e2b")], columnLabels: (0..<columns).map { "d\($0)" }, name: "days"
        )
        let widths = try DocumentationTests.matches(#"<rect class="bar" x="\d+" y="\d+" width="(-?\d+)""#, in: svg).map { Int($0)! }
        #expect(widths.count == 2 * columns && widths.allSatisfy { $0 >= 1 }, "\(Set(widths))")
        let width = try #require(try DocumentationTests.matches(#"<svg[^>]* width="(\d+)""#, in: svg).first.flatMap { Int($0) })
        #expect(width >= max(720, 66 + 3 * columns))
        let labels = try DocumentationTests.matches(#"text-anchor="middle">(d\d+)<"#, in: svg).count
        #expect((6...9).contains(labels), "\(labels) labels")
    }
}
