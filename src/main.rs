fn main() -> std::process::ExitCode {
    mock_hmc::cli::run()
}
