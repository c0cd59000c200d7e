from app.launcher import main

main()
