/// Every `nayerd` subcommand, in the order `nayerd --help` lists them.
public enum NayerdProgram {
    public static func make() -> Program {
        Program(name: "nayerd",
                summary: "nayerd: data-free distillation of image classifiers with NAYER.",
                subcommands: [ServeCommand.self, SubmitCommand.self, StatusCommand.self, CancelCommand.self,
                              DistillCommand.self, TrainTeacherCommand.self, EvalCommand.self,
                              EmbedLabelsCommand.self, WorkerCommand.self])
    }
}
