import Commands
import Foundation

exit(NayerdProgram.make().run(Array(CommandLine.arguments.dropFirst())))
