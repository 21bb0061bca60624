#!/usr/bin/perl
# mkmmdb.pl FILE: a tiny MaxMind DB for tests/geo.t, made with Debian's
# libmaxmind-db-writer-perl, in the shape of GeoLite2's City and ASN
# databases together (country.iso_code, country.names.en,
# autonomous_system_number and _organization, traits): two public test
# networks, one IPv4 with a country and an AS, one IPv6 with its country
# only as the registered one and the anycast flag.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (
	country => 'map',
	registered_country => 'map',
	iso_code => 'utf8_string',
	names => 'map',
	en => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
	traits => 'map',
	is_anycast => 'boolean',
	is_anonymous_proxy => 'boolean',
	is_satellite_provider => 'boolean',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 24,
	database_type => 'nm-test-City-ASN',
	languages => ['en'],
	description => { en => 'nm test database' },
	map_key_type_callback => sub { $types{ $_[0] } },
	remove_reserved_networks => 0,
);
$tree->insert_network('81.2.69.160/27', {
	country => { iso_code => 'GB', names => { en => 'United Kingdom' } },
	autonomous_system_number => 12345,
	autonomous_system_organization => 'Test Net One',
});
$tree->insert_network('2a02:cf40::/29', {
	registered_country => { iso_code => 'DE' },
	autonomous_system_number => 64500,
	autonomous_system_organization => 'Test Net Two',
	traits => { is_anycast => 1, is_satellite_provider => 1 },
});
open(my $fh, '>', $ARGV[0]) or die "$ARGV[0]: $!\n";
$tree->write_tree($fh);
close($fh) or die "$ARGV[0]: $!\n";
