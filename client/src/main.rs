fn main() {
    madar_client::start();
}
