using Prewarm.Lab.Cli;

return await LabApp.RunAsync(args, Console.Out, Console.Error, handleTermination: true, cores: null, CancellationToken.None);
