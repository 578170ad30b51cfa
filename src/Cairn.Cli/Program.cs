using Cairn.Cli;

return await CairnCli.RunAsync(args, Console.Out, Console.Error);
