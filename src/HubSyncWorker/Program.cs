using HubSyncWorker.Cli;

return await WorkerCommands.RunAsync(args, Console.Out, Console.Error);
