from svadvisor.cli.app import main

main()
