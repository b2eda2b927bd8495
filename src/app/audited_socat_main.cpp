#include "app/audited_socat.hpp"

int main(int argc, char** argv) {
    return asocat::app::audited_socat_main(argc, argv, environ);
}
