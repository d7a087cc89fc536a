import XCTest
@testable import TrainerData

final class InMemoryDatasetTests: XCTestCase {
}
