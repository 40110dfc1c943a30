/// The `nayerd` executable: every subcommand, in the order `--help` lists them.
public enum NayerdProgram {
    public static func make() -> Program {
        Program(name: "nayerd",
                summary: "nayerd: data-free knowledge distillation (NAYER) as a service.",
                subcommands: [ServeCommand.self, SubmitCommand.self, StatusCommand.self, CancelCommand.self,
                              DistillCommand.self, WorkerCommand.self])
    }
}
