import CTrainerPlugin

extension Host {
    /// Where this process stands in data-parallel training under `mpirun`, through the host
    /// extension "trainer.distributed/1": its rank (0 ..< worldSize) and the number of ranks.
    /// (0, 1) without mpirun, and from a host without the extension.
    public var distributed: (rank: Int, worldSize: Int) {
        guard let table = extensionTable(TRAINER_EXT_DISTRIBUTED, as: trainer_distributed_ext_t.self) else { return (0, 1) }
        let rank = table.rank.map { Int($0(self.table)) } ?? 0
        let worldSize = table.world_size.map { Int($0(self.table)) } ?? 1
        return (rank, max(worldSize, 1))
    }
}
